"""`discogsography demo` as a user runs it: its own process, embedded stores, nothing configured.

With `--dump-dir` it loads that dump and serves it: the API's graph figures, an explored artist and
a search equal what the test reads from the dump's XML. With `--no-serve` it loads and exits. The
dump that ships with the package is byte for byte the shared 2020 sample.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from applications.demo import BUNDLED_DUMP
from tests import servers
from tests.integration.test_api import read_dump
from tests.samples import samples_dir

DUMP = samples_dir() / "discogs" / "xml2db_20170401_head50"


def test_the_bundled_dump_is_the_shared_sample() -> None:
    shared = samples_dir() / "discogs" / "xml2db_20200806"

    assert sorted(p.name for p in BUNDLED_DUMP.glob("*.xml.gz")) == sorted(p.name for p in shared.iterdir())
    for path in shared.iterdir():
        assert (BUNDLED_DUMP / path.name).read_bytes() == path.read_bytes()


def test_demo_serves_a_given_dump_with_answers_the_dump_implies(tmp_path: Path) -> None:
    facts = read_dump(DUMP)
    nodes = facts.graph.nodes
    artist_id, name = next(
        (a, n) for a, n in sorted(facts.artist_names.items(), key=lambda i: int(i[0])) if facts.releases_by(a)
    )
    port = servers.free_port()
    env = servers.embedded_environ(
        DISCOGSOGRAPHY_DATA_DIR=str(tmp_path), NEO4J_HOST="127.0.0.1", RATE_LIMITS_ENABLED="false"
    )

    with servers.running_app(["demo", "--dump-dir", str(DUMP), "--port", str(port)], env, port) as base:
        stats = httpx.get(f"{base}/api/graph/stats").json()
        explored = httpx.get(f"{base}/api/explore", params={"name": name, "type": "artist"}).json()
        found = httpx.get(f"{base}/api/search", params={"q": name, "types": "artist"}).json()
        page = httpx.get(f"{base}/")

    assert stats["counts"] == {
        "artists": len(nodes["Artist"]),
        "labels": len(nodes["Label"]),
        "releases": len(nodes["Release"]),
        "masters": len(nodes["Master"]),
        "genres": len(nodes["Genre"]),
        "styles": len(nodes["Style"]),
    }
    assert explored["center"] == {"id": artist_id, "name": name, "type": "artist"}
    assert explored["categories"][0]["count"] == len(facts.releases_by(artist_id))
    assert artist_id in [hit["id"] for hit in found["results"]]
    assert page.status_code in (200, 503), "the explorer page, or the note that it is not built"
    assert (tmp_path / "graph.lbdb").exists(), "the servers named in the environment were ignored"


def test_demo_no_serve_loads_and_exits(tmp_path: Path) -> None:
    env = servers.embedded_environ(DISCOGSOGRAPHY_DATA_DIR=str(tmp_path))

    run = subprocess.run(
        [str(Path(sys.executable).with_name("discogsography")), "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    assert "1,000 artists, 1,000 labels, 1,000 masters, 1,000 releases" in run.stdout


def test_demo_names_a_dump_it_cannot_read(tmp_path: Path) -> None:
    env = servers.embedded_environ(DISCOGSOGRAPHY_DATA_DIR=str(tmp_path / "var"))
    empty = tmp_path / "empty"
    empty.mkdir()

    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("discogsography")),
            "demo",
            "--no-serve",
            "--dump-dir",
            str(empty),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 1
    assert str(empty) in run.stdout

"""The MusicBrainz downloader against a real HTTP server on 127.0.0.1 laid out as the JSON dump site
(a listing of `YYYYMMDD-HHMMSS/` directories, each with SHA256SUMS and `<entity>.tar.xz`), the
archives built from the real sample lines; and the lock that keeps two extractions apart.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import lzma
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from adapters.dumps.download import DownloadProgress, LogDownloadProgress, PoliteHttp
from adapters.dumps.extraction_lock import exclusive_extraction
from adapters.dumps.musicbrainz_site import MusicBrainzDump, MusicBrainzSite, download_newest
from domain.dumps import ChecksumMismatchError
from domain.musicbrainz import MUSICBRAINZ_DUMP_TYPES, NoCompleteMusicBrainzDumpError
from tests.integration.test_discogs_download import RecordedSleeps, politeness
from tests.samples import samples_dir

MUSICBRAINZ = samples_dir() / "musicbrainz"
ENTITY = {"artists": "artist", "labels": "label", "release-groups": "release-group", "releases": "release"}
MEMBERS = {
    "artists": MUSICBRAINZ / "ws2_api_responses" / "one_per_line" / "artist.jsonl",
    "labels": MUSICBRAINZ / "json_dump" / "label.jsonl",
    "release-groups": MUSICBRAINZ / "ws2_api_responses" / "one_per_line" / "release-group.jsonl",
    "releases": MUSICBRAINZ / "ws2_api_responses" / "one_per_line" / "release.jsonl",
}
COMPLETE = "20260520-001001"
LACKS_AN_ARCHIVE = "20260523-001002"
NO_CHECKSUMS_YET = "20260527-001003"


def archive(member: bytes, entity: str) -> bytes:
    """A `<entity>.tar.xz` as published: metadata files, then `mbdump/<entity>`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as tar:
        for name, data in (
            ("TIMESTAMP", b"2026-05-20\n"),
            ("README", b"json dump\n"),
            (f"mbdump/{entity}", member),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sha256sums(files: dict[str, bytes]) -> bytes:
    return "".join(f"{hashlib.sha256(data).hexdigest()} *{name}\n" for name, data in files.items()).encode()


@dataclass
class FakeDumpSite:
    files: dict[str, bytes] = field(default_factory=dict)
    """path (without the leading /) → bytes; the listing is derived from the directories."""
    cut_at: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def archive_requests(self) -> list[tuple[str, str | None]]:
        return [request for request in self.requests if request[0].endswith(".tar.xz")]


def build_site() -> FakeDumpSite:
    site = FakeDumpSite()
    archives = {
        f"{ENTITY[t]}.tar.xz": archive(MEMBERS[t].read_bytes(), ENTITY[t]) for t in MUSICBRAINZ_DUMP_TYPES
    }
    others = {"area.tar.xz": archive(b'{"id": "a"}\n', "area")}
    for version, listed in ((COMPLETE, archives | others), (LACKS_AN_ARCHIVE, others)):
        for name, data in listed.items():
            site.files[f"{version}/{name}"] = data
        site.files[f"{version}/SHA256SUMS"] = sha256sums(listed)
    site.files[f"{NO_CHECKSUMS_YET}/artist.tar.xz"] = archives["artist.tar.xz"]
    return site


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.lstrip("/")
        range_header = self.headers.get("Range")
        with site.lock:
            site.requests.append((path, range_header))
            cut_at = site.cut_at.pop(path, None)
        if path == "":
            directories = sorted({name.split("/")[0] for name in site.files})
            links = "".join(f'<a href="{directory}/">{directory}/</a>\n' for directory in directories)
            self._send(
                200, f'<html><a href="../">../</a>\n{links}<a href="LATEST">LATEST</a></html>'.encode()
            )
            return
        if path not in site.files:
            self._send(404, b"not found")
            return
        body = site.files[path]
        start = int(range_header.removeprefix("bytes=").removesuffix("-")) if range_header else 0
        headers = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"} if range_header else {}
        self._send(
            206 if range_header else 200, body[start:], headers, None if cut_at is None else cut_at - start
        )

    def _send(
        self, status: int, body: bytes, headers: dict[str, str] | None = None, cut: int | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if cut is not None:  # promise the whole body, send part of it, drop the connection
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: FakeDumpSite) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.site = site

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


@pytest.fixture
def site() -> FakeDumpSite:
    return build_site()


@pytest.fixture
def server(site: FakeDumpSite) -> Iterator[Server]:
    http_server = Server(site)
    thread = threading.Thread(target=http_server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield http_server
    http_server.shutdown()
    http_server.server_close()
    thread.join()


async def download(server: Server, root: Path) -> MusicBrainzDump:
    sleeps = RecordedSleeps()
    progress: DownloadProgress = LogDownloadProgress(interval_seconds=0)
    async with PoliteHttp(politeness(), sleep=sleeps, clock=sleeps.clock) as http:
        return await download_newest(http, root, MusicBrainzSite(http, server.base_url), progress)


async def test_the_newest_version_whose_checksums_list_the_four_archives_is_chosen(server: Server) -> None:
    async with PoliteHttp(politeness()) as http:
        version = await MusicBrainzSite(http, server.base_url.rstrip("/")).newest_complete_version()

    assert version.version == COMPLETE
    assert [dump_file.name for dump_file in version.data_files] == [
        "artist.tar.xz",
        "label.tar.xz",
        "release-group.tar.xz",
        "release.tar.xz",
    ]


async def test_a_site_without_a_complete_version_names_the_versions_it_checked(
    server: Server, site: FakeDumpSite
) -> None:
    del site.files[f"{COMPLETE}/SHA256SUMS"]

    async with PoliteHttp(politeness()) as http:
        with pytest.raises(
            NoCompleteMusicBrainzDumpError, match=f"{NO_CHECKSUMS_YET}, {LACKS_AN_ARCHIVE}, {COMPLETE}"
        ):
            await MusicBrainzSite(http, server.base_url).newest_complete_version()


async def test_each_member_is_repacked_as_jsonl_xz_and_its_archive_removed(
    server: Server, site: FakeDumpSite, tmp_path: Path
) -> None:
    dump = await download(server, tmp_path)

    assert dump.version == COMPLETE
    assert dump.directory == tmp_path / COMPLETE
    for data_type in MUSICBRAINZ_DUMP_TYPES:
        path = dump.files[data_type]
        assert path == tmp_path / COMPLETE / f"{ENTITY[data_type]}.jsonl.xz"
        assert lzma.decompress(path.read_bytes()) == MEMBERS[data_type].read_bytes()
    assert sorted(
        path.name for path in (tmp_path / COMPLETE).iterdir() if not path.name.startswith(".")
    ) == sorted(f"{ENTITY[data_type]}.jsonl.xz" for data_type in MUSICBRAINZ_DUMP_TYPES)
    assert [path for path, _ in site.archive_requests()] == [
        f"{COMPLETE}/{ENTITY[data_type]}.tar.xz" for data_type in MUSICBRAINZ_DUMP_TYPES
    ]


async def test_a_rerun_fetches_no_archive_and_a_missing_entity_only_that_one(
    server: Server, site: FakeDumpSite, tmp_path: Path
) -> None:
    await download(server, tmp_path)
    site.requests.clear()
    await download(server, tmp_path)
    assert site.archive_requests() == []

    (tmp_path / COMPLETE / "label.jsonl.xz").unlink()
    dump = await download(server, tmp_path)

    assert site.archive_requests() == [(f"{COMPLETE}/label.tar.xz", None)]
    assert lzma.decompress(dump.files["labels"].read_bytes()) == MEMBERS["labels"].read_bytes()


async def test_a_transfer_cut_mid_archive_resumes_from_the_cut_byte(
    server: Server, site: FakeDumpSite, tmp_path: Path
) -> None:
    site.cut_at[f"{COMPLETE}/label.tar.xz"] = 10_000

    dump = await download(server, tmp_path)

    label_requests = [request for request in site.archive_requests() if "label" in request[0]]
    assert label_requests == [
        (f"{COMPLETE}/label.tar.xz", None),
        (f"{COMPLETE}/label.tar.xz", "bytes=10000-"),
    ]
    assert lzma.decompress(dump.files["labels"].read_bytes()) == MEMBERS["labels"].read_bytes()


async def test_an_archive_that_does_not_match_its_checksum_is_refused_and_not_kept(
    server: Server, site: FakeDumpSite, tmp_path: Path
) -> None:
    damaged = bytearray(site.files[f"{COMPLETE}/release.tar.xz"])
    damaged[-10] ^= 0xFF
    site.files[f"{COMPLETE}/release.tar.xz"] = bytes(damaged)

    with pytest.raises(ChecksumMismatchError, match=r"release\.tar\.xz"):
        await download(server, tmp_path)

    kept = {path.name for path in (tmp_path / COMPLETE).iterdir()}
    assert "release.jsonl.xz" not in kept
    assert "release.tar.xz" not in kept
    assert {"artist.jsonl.xz", "label.jsonl.xz", "release-group.jsonl.xz"} <= kept


async def test_a_second_extraction_waits_for_the_first_to_let_go(tmp_path: Path) -> None:
    lock_file = tmp_path / ".extraction.lock"
    order: list[str] = []
    first_has_it = asyncio.Event()
    first_may_finish = asyncio.Event()

    async def first() -> None:
        async with exclusive_extraction(lock_file, "discogs extraction"):
            order.append("discogs in")
            first_has_it.set()
            await first_may_finish.wait()
            order.append("discogs out")

    async def second() -> None:
        await first_has_it.wait()
        async with exclusive_extraction(lock_file, "musicbrainz extraction", poll_seconds=0.01):
            order.append("musicbrainz in")

    running = asyncio.gather(first(), second())
    await first_has_it.wait()
    await asyncio.sleep(0.1)
    assert "discogs extraction (pid" in lock_file.read_text()
    assert order == ["discogs in"], "the second extraction waits"
    first_may_finish.set()
    await running

    assert order == ["discogs in", "discogs out", "musicbrainz in"]
    assert lock_file.read_text() == ""

"""`discogsography schema-init` as an operator runs it: embedded, on the servers, and with Neo4j down."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from tests import servers


def run_cli(*arguments: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "applications.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def base_env(data_dir: Path) -> dict[str, str]:
    """The embedded default, with its data under `data_dir`."""
    return servers.embedded_environ(DISCOGSOGRAPHY_DATA_DIR=str(data_dir))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_embedded_schema_init_creates_both_stores_then_reports_them_up_to_date(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data")

    first = run_cli("schema-init", env=env)
    second = run_cli("schema-init", env=env)

    assert first.returncode == 0, first.stderr
    assert "LadybugDB" in first.stderr
    assert "created" in first.stderr
    assert "SQLite" in first.stderr
    assert "migration 0001" in first.stderr
    assert (tmp_path / "data" / "graph.lbdb").exists()
    assert (tmp_path / "data" / "discogsography.sqlite").is_file()
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("schema already up to date") == 2


def test_services_schema_init_creates_the_database_and_is_idempotent(
    tmp_path: Path, clean_neo4j: dict[str, str], server_env: dict[str, str]
) -> None:
    database = servers.new_database_name()
    env = base_env(tmp_path / "data") | server_env | {"POSTGRES_DATABASE": database}
    try:
        first = run_cli("schema-init", env=env)
        second = run_cli("schema-init", env=env)
    finally:
        servers.run_aside(servers.drop_database(server_env, database))

    assert first.returncode == 0, first.stderr
    assert "Neo4j at bolt://" in first.stderr
    assert "artist_id" in first.stderr
    assert "PostgreSQL at" in first.stderr
    assert database in first.stderr
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("schema already up to date") == 2
    assert not (tmp_path / "data").exists(), "the services deployment must not create embedded stores"


def test_schema_init_with_neo4j_down_exits_1_naming_neo4j_and_its_address(
    tmp_path: Path, server_env: dict[str, str], postgres_database: str
) -> None:
    port = closed_port()
    env = (
        base_env(tmp_path / "data")
        | server_env
        | {"NEO4J_HOST": "127.0.0.1", "NEO4J_PORT": str(port), "POSTGRES_DATABASE": postgres_database}
    )

    started = time.monotonic()
    outcome = run_cli("schema-init", env=env, timeout=60)
    elapsed = time.monotonic() - started

    assert outcome.returncode == 1
    assert elapsed < 30
    assert f"Neo4j at bolt://127.0.0.1:{port}" in outcome.stderr
    assert "unreachable" in outcome.stderr
    assert "PostgreSQL at" in outcome.stderr, "the table store is still prepared when the graph store is down"


def test_schema_init_with_a_wrong_neo4j_password_names_the_cause(
    tmp_path: Path, server_env: dict[str, str], postgres_database: str, neo4j_lock: None
) -> None:
    env = (
        base_env(tmp_path / "data")
        | server_env
        | {
            "NEO4J_PASSWORD": "not-the-password",
            "POSTGRES_DATABASE": postgres_database,
        }
    )

    outcome = run_cli("schema-init", env=env, timeout=60)

    assert outcome.returncode == 1
    assert "Neo4j at bolt://" in outcome.stderr
    assert "authentication failed" in outcome.stderr


def test_missing_password_for_a_configured_host_is_a_configuration_error(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data") | {"POSTGRES_HOST": "127.0.0.1"}

    outcome = run_cli("schema-init", env=env)

    assert outcome.returncode == 2
    assert "POSTGRES_PASSWORD" in outcome.stderr

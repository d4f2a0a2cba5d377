"""Settings: reference variable names, `_FILE` secrets, embedded when no host is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from applications.settings import Settings, SettingsError


def test_no_host_selects_every_embedded_store_under_the_data_dir() -> None:
    settings = Settings.from_environ({"DISCOGSOGRAPHY_DATA_DIR": "/srv/dscg"})

    assert settings.neo4j is None
    assert settings.postgres is None
    assert settings.rabbitmq is None
    assert settings.redis is None
    assert settings.ladybug_path == Path("/srv/dscg/graph.lbdb")
    assert settings.table_store_url == "sqlite+aiosqlite:////srv/dscg/discogsography.sqlite"


def test_data_dir_defaults_to_var_in_the_working_directory() -> None:
    assert Settings.from_environ({}).data_dir == Path("./var")


def test_secret_is_read_from_its_file_variable(tmp_path: Path) -> None:
    secret = tmp_path / "neo4j_password"
    secret.write_text("s3cret with spaces\n", encoding="utf-8")

    settings = Settings.from_environ({"NEO4J_HOST": "graph.internal", "NEO4J_PASSWORD_FILE": str(secret)})

    assert settings.neo4j is not None
    assert settings.neo4j.password == "s3cret with spaces"
    assert settings.neo4j.uri == "bolt://graph.internal:7687"


def test_an_unreadable_secret_file_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="POSTGRES_PASSWORD_FILE"):
        Settings.from_environ({"POSTGRES_HOST": "db", "POSTGRES_PASSWORD_FILE": str(tmp_path / "missing")})


def test_postgres_host_may_carry_its_port_and_credentials_are_url_quoted() -> None:
    settings = Settings.from_environ(
        {"POSTGRES_HOST": "db.internal:6543", "POSTGRES_USERNAME": "u@x", "POSTGRES_PASSWORD": "p/w:d"}
    )

    assert settings.postgres is not None
    assert settings.table_store_url == "postgresql+asyncpg://u%40x:p%2Fw%3Ad@db.internal:6543/discogsography"


def test_neo4j_host_may_be_a_full_uri_and_tls_switches_the_scheme() -> None:
    as_uri = Settings.from_environ({"NEO4J_HOST": "neo4j://cluster:7688", "NEO4J_PASSWORD": "x"})
    with_tls = Settings.from_environ({"NEO4J_HOST": "g", "NEO4J_PASSWORD": "x", "NEO4J_TLS_ENABLED": "true"})

    assert as_uri.neo4j is not None
    assert as_uri.neo4j.uri == "neo4j://cluster:7688"
    assert with_tls.neo4j is not None
    assert with_tls.neo4j.uri == "bolt+s://g:7687"


def test_a_non_numeric_port_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="REDIS_PORT"):
        Settings.from_environ({"REDIS_HOST": "cache", "REDIS_PORT": "six"})


def test_redis_and_rabbitmq_urls_follow_the_reference_defaults() -> None:
    settings = Settings.from_environ({"REDIS_HOST": "cache", "REDIS_PASSWORD": "pw", "RABBITMQ_HOST": "mq"})

    assert settings.redis is not None
    assert settings.redis.url == "redis://:pw@cache:6379/0"
    assert settings.rabbitmq is not None
    assert settings.rabbitmq.url == "amqp://discogsography:discogsography@mq:5672/%2F"
    assert settings.rabbitmq.management_port == 15672


def test_rabbitmq_virtual_host_is_part_of_the_url() -> None:
    settings = Settings.from_environ({"RABBITMQ_HOST": "mq", "RABBITMQ_VHOST": "staging"})

    assert settings.rabbitmq is not None
    assert settings.rabbitmq.url.endswith("@mq:5672/staging")


def test_musicbrainz_dumps_and_the_extraction_lock_live_under_the_data_dir_by_default() -> None:
    settings = Settings.from_environ({"DISCOGSOGRAPHY_DATA_DIR": "/srv/dscg"})

    assert settings.musicbrainz_root == Path("/srv/dscg/musicbrainz")
    assert settings.extraction_lock_file == Path("/srv/dscg/.extraction.lock")
    assert settings.musicbrainz_dump_url == "https://data.metabrainz.org/pub/musicbrainz/data/json-dumps/"
    assert settings.musicbrainz_exchange_prefix == "discogsography-musicbrainz"


def test_musicbrainz_settings_take_the_reference_names() -> None:
    settings = Settings.from_environ(
        {
            "MUSICBRAINZ_ROOT": "/dumps/mb",
            "MUSICBRAINZ_DUMP_URL": "http://mirror.invalid/json-dumps/",
            "MUSICBRAINZ_EXCHANGE_PREFIX": "mb",
            "EXTRACTION_LOCK_FILE": "/shared/extract.lock",
        }
    )

    assert settings.musicbrainz_root == Path("/dumps/mb")
    assert settings.musicbrainz_dump_url == "http://mirror.invalid/json-dumps/"
    assert settings.musicbrainz_exchange_prefix == "mb"
    assert settings.extraction_lock_file == Path("/shared/extract.lock")

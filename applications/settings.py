"""Settings from environment variables, with the reference system's names (SPEC-services §9).

Every secret may instead be given as `<NAME>_FILE`, the path of a file holding it (Docker and
Kubernetes secrets). A store whose host is unset is replaced by its embedded counterpart under
DISCOGSOGRAPHY_DATA_DIR, so a fresh checkout runs with no server at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SECRET_NAMES = (
    "NEO4J_PASSWORD",
    "POSTGRES_PASSWORD",
    "RABBITMQ_PASSWORD",
    "REDIS_PASSWORD",
    "JWT_SECRET_KEY",
    "ENCRYPTION_MASTER_KEY",
)


DEFAULT_USER_AGENT = "discogsography-extractor/0.1"
MUSICBRAINZ_DUMP_URL = "https://data.metabrainz.org/pub/musicbrainz/data/json-dumps/"


class SettingsError(ValueError):
    """A setting is missing, unreadable or malformed; the message names the variable."""


def _value(environ: Mapping[str, str], name: str) -> str | None:
    """The variable's value, or the content of the file named by `<NAME>_FILE` for secrets."""
    direct = environ.get(name)
    if direct:
        return direct
    if name in SECRET_NAMES:
        file_name = environ.get(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as error:
                raise SettingsError(f"{name}_FILE={file_name}: cannot read it ({error.strerror})") from error
    return None


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = _value(environ, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SettingsError(f"{name}={raw!r} is not an integer") from error


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _value(environ, name)
    if raw is None:
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _path(environ: Mapping[str, str], name: str) -> Path | None:
    raw = _value(environ, name)
    return Path(raw) if raw else None


def _split_host(host: str, default_port: int) -> tuple[str, int]:
    """`host` or `host:port` (the reference accepts both for POSTGRES_HOST)."""
    if host.count(":") == 1:
        name, _, port = host.partition(":")
        if port.isdigit():
            return name, int(port)
    return host, default_port


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str
    password: str

    @property
    def address(self) -> str:
        return self.uri


@dataclass(frozen=True)
class PostgresSettings:
    host: str
    port: int
    username: str
    password: str
    database: str

    @property
    def url(self) -> str:
        credentials = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}"
        return f"postgresql+asyncpg://{credentials}@{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class RabbitMQSettings:
    host: str
    port: int
    username: str
    password: str
    management_host: str
    management_port: int
    vhost: str = "/"

    @property
    def url(self) -> str:
        credentials = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}"
        return f"amqp://{credentials}@{self.host}:{self.port}/{quote(self.vhost, safe='')}"

    @property
    def management_url(self) -> str:
        return f"http://{self.management_host}:{self.management_port}"


@dataclass(frozen=True)
class RedisSettings:
    host: str
    port: int
    password: str | None

    @property
    def url(self) -> str:
        credentials = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{credentials}{self.host}:{self.port}/0"


@dataclass(frozen=True)
class Settings:
    """Everything the applications read from the environment, parsed once at start-up."""

    data_dir: Path
    neo4j: Neo4jSettings | None
    postgres: PostgresSettings | None
    rabbitmq: RabbitMQSettings | None
    redis: RedisSettings | None
    discogs_exchange_prefix: str
    musicbrainz_exchange_prefix: str
    log_level: str
    discogs_root: Path
    discogs_data_url: str
    user_agent: str
    batch_size: int
    health_port: int
    force_reprocess: bool
    periodic_check_days: int
    data_quality_rules: Path | None
    """DATA_QUALITY_RULES: the YAML rules file of the optional data-quality stage; unset, no stage."""
    musicbrainz_root: Path
    """MUSICBRAINZ_ROOT: where MusicBrainz dump versions are kept, one directory each."""
    musicbrainz_dump_url: str
    """MUSICBRAINZ_DUMP_URL: the JSON dump listing (one `YYYYMMDD-HHMMSS/` directory per version)."""
    extraction_lock_file: Path
    """EXTRACTION_LOCK_FILE: the lock that keeps the Discogs and MusicBrainz extractions apart."""

    @property
    def ladybug_path(self) -> Path:
        return self.data_dir / "graph.lbdb"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "discogsography.sqlite"

    @property
    def table_store_url(self) -> str:
        if self.postgres is not None:
            return self.postgres.url
        return f"sqlite+aiosqlite:///{self.sqlite_path}"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env: Mapping[str, str] = os.environ if environ is None else environ
        data_dir = Path(_value(env, "DISCOGSOGRAPHY_DATA_DIR") or "./var")
        return cls(
            data_dir=data_dir,
            neo4j=_neo4j(env),
            postgres=_postgres(env),
            rabbitmq=_rabbitmq(env),
            redis=_redis(env),
            discogs_exchange_prefix=_value(env, "DISCOGS_EXCHANGE_PREFIX") or "discogsography-discogs",
            musicbrainz_exchange_prefix=_value(env, "MUSICBRAINZ_EXCHANGE_PREFIX")
            or "discogsography-musicbrainz",
            log_level=(_value(env, "LOG_LEVEL") or "INFO").upper(),
            discogs_root=Path(_value(env, "DISCOGS_ROOT") or data_dir / "discogs"),
            discogs_data_url=_value(env, "DISCOGS_DATA_URL") or "https://data.discogs.com/",
            user_agent=_value(env, "DISCOGS_USER_AGENT") or DEFAULT_USER_AGENT,
            batch_size=_integer(env, "BATCH_SIZE", 500),
            health_port=_integer(env, "HEALTH_PORT", 8000),
            force_reprocess=_flag(env, "FORCE_REPROCESS", False),
            periodic_check_days=max(1, _integer(env, "PERIODIC_CHECK_DAYS", 15)),
            data_quality_rules=_path(env, "DATA_QUALITY_RULES"),
            musicbrainz_root=Path(_value(env, "MUSICBRAINZ_ROOT") or data_dir / "musicbrainz"),
            musicbrainz_dump_url=_value(env, "MUSICBRAINZ_DUMP_URL") or MUSICBRAINZ_DUMP_URL,
            extraction_lock_file=Path(_value(env, "EXTRACTION_LOCK_FILE") or data_dir / ".extraction.lock"),
        )


def _neo4j(env: Mapping[str, str]) -> Neo4jSettings | None:
    host = _value(env, "NEO4J_HOST")
    if not host:
        return None
    if "://" in host:
        uri = host
    else:
        name, port = _split_host(host, _integer(env, "NEO4J_PORT", 7687))
        scheme = "bolt+s" if _flag(env, "NEO4J_TLS_ENABLED", False) else "bolt"
        if scheme == "bolt+s" and not _flag(env, "NEO4J_TLS_VERIFY", True):
            scheme = "bolt+ssc"
        uri = f"{scheme}://{name}:{port}"
    password = _value(env, "NEO4J_PASSWORD")
    if password is None:
        raise SettingsError("NEO4J_HOST is set but NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE) is not")
    return Neo4jSettings(uri=uri, username=_value(env, "NEO4J_USERNAME") or "neo4j", password=password)


def _postgres(env: Mapping[str, str]) -> PostgresSettings | None:
    host = _value(env, "POSTGRES_HOST")
    if not host:
        return None
    name, port = _split_host(host, _integer(env, "POSTGRES_PORT", 5432))
    password = _value(env, "POSTGRES_PASSWORD")
    if password is None:
        raise SettingsError("POSTGRES_HOST is set but POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is not")
    return PostgresSettings(
        host=name,
        port=port,
        username=_value(env, "POSTGRES_USERNAME") or "discogsography",
        password=password,
        database=_value(env, "POSTGRES_DATABASE") or "discogsography",
    )


def _rabbitmq(env: Mapping[str, str]) -> RabbitMQSettings | None:
    host = _value(env, "RABBITMQ_HOST")
    if not host:
        return None
    return RabbitMQSettings(
        host=host,
        port=_integer(env, "RABBITMQ_PORT", 5672),
        username=_value(env, "RABBITMQ_USERNAME") or "discogsography",
        password=_value(env, "RABBITMQ_PASSWORD") or "discogsography",
        management_host=_value(env, "RABBITMQ_MANAGEMENT_HOST") or host,
        management_port=_integer(env, "RABBITMQ_MANAGEMENT_PORT", 15672),
        vhost=_value(env, "RABBITMQ_VHOST") or "/",
    )


def _redis(env: Mapping[str, str]) -> RedisSettings | None:
    host = _value(env, "REDIS_HOST")
    if not host:
        return None
    return RedisSettings(
        host=host, port=_integer(env, "REDIS_PORT", 6379), password=_value(env, "REDIS_PASSWORD")
    )


DEFAULT_CORS_ORIGINS = ("http://localhost:3000", "http://localhost:8003")


@dataclass(frozen=True)
class WebSettings:
    """What `discogsography web` reads besides the stores: where it listens and how it treats callers."""

    host: str
    port: int
    cors_origins: tuple[str, ...]
    rate_limits: bool
    """RATE_LIMITS_ENABLED: the per-endpoint limits of SPEC-api (off for load benchmarks)."""
    trusted_proxy_hops: int
    """FORWARDED_ALLOW_HOPS: how many X-Forwarded-For hops to believe when keying rate limits (0: none)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        env: Mapping[str, str] = os.environ if environ is None else environ
        origins = _value(env, "CORS_ORIGINS")
        return cls(
            host=_value(env, "API_HOST") or "127.0.0.1",
            port=_integer(env, "API_PORT", 8004),
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip())
            if origins
            else DEFAULT_CORS_ORIGINS,
            rate_limits=_flag(env, "RATE_LIMITS_ENABLED", True),
            trusted_proxy_hops=max(0, _integer(env, "FORWARDED_ALLOW_HOPS", 0)),
        )

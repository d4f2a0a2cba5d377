"""The cache of the services deployment: Redis, values as JSON, expiry by Redis itself.

Cache-aside: when Redis is down or slow the API computes the answer instead of failing, and logs
that the cache is unavailable once per outage rather than once per request.
"""

from __future__ import annotations

import orjson
import redis.asyncio as redis
import structlog
from redis.exceptions import RedisError

from domain.ports import JsonValue

log = structlog.get_logger(__name__)

OPERATION_TIMEOUT_SECONDS = 0.5
"""How long a cache read or write may take before the API gives up on it and computes instead."""


class RedisCache:
    def __init__(self, url: str, key_prefix: str = "") -> None:
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=OPERATION_TIMEOUT_SECONDS,
            socket_connect_timeout=OPERATION_TIMEOUT_SECONDS,
        )
        self._prefix = key_prefix
        self._available = True
        self._url = url

    def _degraded(self, operation: str, error: RedisError) -> None:
        if self._available:
            log.warning(
                "cache_unavailable", store="redis", url=self._url, operation=operation, error=str(error)
            )
        self._available = False

    async def get(self, key: str) -> JsonValue | None:
        try:
            raw = await self._client.get(self._prefix + key)
        except RedisError as error:
            self._degraded("get", error)
            return None
        self._available = True
        if raw is None:
            return None
        value: JsonValue = orjson.loads(raw)
        return value

    async def set(self, key: str, value: JsonValue, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            return
        try:
            await self._client.set(self._prefix + key, orjson.dumps(value), ex=ttl_seconds)
        except RedisError as error:
            self._degraded("set", error)
            return
        self._available = True

    async def close(self) -> None:
        await self._client.aclose()

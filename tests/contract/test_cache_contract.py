"""The Cache port: Redis and the in-process cache keep and expire JSON answers alike."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory.cache import MemoryCache
from adapters.redis.cache import RedisCache
from domain.ports import Cache, JsonValue

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


async def test_a_value_comes_back_equal_until_it_expires(cache: Cache) -> None:
    answer: JsonValue = {"center": {"id": "1", "name": "Persuader"}, "categories": [{"count": 3}], "x": None}

    await cache.set("explore:artist:Persuader", answer, ttl_seconds=1)

    assert await cache.get("explore:artist:Persuader") == answer
    await asyncio.sleep(1.2)
    assert await cache.get("explore:artist:Persuader") is None


async def test_an_unknown_key_is_a_miss_and_a_later_set_replaces(cache: Cache) -> None:
    assert await cache.get("never-set") is None

    await cache.set("k", {"v": 1}, 60)
    await cache.set("k", {"v": 2}, 60)

    assert await cache.get("k") == {"v": 2}


async def test_a_value_changed_by_its_reader_stays_as_stored(cache: Cache) -> None:
    await cache.set("k", {"items": [1, 2]}, 60)
    first = await cache.get("k")
    assert isinstance(first, dict)
    first["items"].append(3)

    assert await cache.get("k") == {"items": [1, 2]}


async def test_a_value_without_lifetime_is_not_kept(cache: Cache) -> None:
    await cache.set("k", {"v": 1}, 0)

    assert await cache.get("k") is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values, key=st.text(min_size=1, max_size=40))
async def test_any_json_document_round_trips(cache: Cache, value: JsonValue, key: str) -> None:
    await cache.set(key, value, 60)

    assert await cache.get(key) == value


async def test_redis_down_is_a_miss_not_an_error() -> None:
    unreachable = RedisCache("redis://127.0.0.1:1/0")
    try:
        await unreachable.set("k", {"v": 1}, 60)
        assert await unreachable.get("k") is None
    finally:
        await unreachable.close()


async def test_the_memory_cache_drops_the_least_recently_used_first() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", 1, 60)
    await cache.set("b", 2, 60)
    assert await cache.get("a") == 1

    await cache.set("c", 3, 60)

    assert await cache.get("b") is None
    assert await cache.get("a") == 1
    assert await cache.get("c") == 3

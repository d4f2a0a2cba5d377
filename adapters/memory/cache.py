"""The cache of the embedded deployment: a bounded in-process LRU with expiry times."""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from collections.abc import Callable

from domain.ports import JsonValue

DEFAULT_MAX_ENTRIES = 4096


class MemoryCache:
    """Least recently used entries go first once `max_entries` are held; expired ones on access.

    Values are deep-copied in and out, as a network cache would: a caller that mutates what it got
    cannot change what the next caller gets.
    """

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        self._entries: OrderedDict[str, tuple[float, JsonValue]] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock

    async def get(self, key: str) -> JsonValue | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return copy.deepcopy(value)

    async def set(self, key: str, value: JsonValue, ttl_seconds: int) -> None:
        if ttl_seconds <= 0:
            return
        self._entries[key] = (self._clock() + ttl_seconds, copy.deepcopy(value))
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def close(self) -> None:
        self._entries.clear()

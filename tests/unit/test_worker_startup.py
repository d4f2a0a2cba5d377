"""A worker's start: servers not up yet are waited for, a schema race is tried again, a real
schema error still stops it (applications/workers.py `when_available`)."""

from __future__ import annotations

import pytest

from applications.workers import SCHEMA_ATTEMPTS, when_available
from domain.messages import BusUnavailable
from domain.schema import SchemaError, StoreUnavailable


class Flaky:
    """Fails with the given errors, in order, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


async def test_a_store_and_a_broker_not_up_yet_are_waited_for_with_capped_backoff() -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    down = [StoreUnavailable("Neo4j", "bolt://127.0.0.1:7687", "refused") for _ in range(7)]
    attempt = Flaky(*down, BusUnavailable("RabbitMQ refused"))

    await when_available("store", attempt, sleep)

    assert attempt.calls == 9
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


async def test_a_schema_statement_another_worker_raced_is_tried_again() -> None:
    async def sleep(_seconds: float) -> None:
        return None

    race = SchemaError(
        "Neo4j", "bolt://127.0.0.1:7687", "CREATE INDEX artist_name", "equivalent index exists"
    )
    attempt = Flaky(race, race)

    await when_available("store", attempt, sleep)

    assert attempt.calls == 3


async def test_a_schema_error_that_persists_stops_the_worker() -> None:
    async def sleep(_seconds: float) -> None:
        return None

    broken = SchemaError("PostgreSQL", "127.0.0.1:5432/db", "CREATE TABLE artists", "permission denied")
    attempt = Flaky(*[broken] * SCHEMA_ATTEMPTS)

    with pytest.raises(SchemaError, match="permission denied"):
        await when_available("store", attempt, sleep)

    assert attempt.calls == SCHEMA_ATTEMPTS

"""Private servers for the tests that stop and start one (tests/faults.py says why), one per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults import PrivateNeo4j, PrivatePostgres, PrivateRabbitMQ


@pytest.fixture(scope="module")
def private_neo4j(server_env: dict[str, str]) -> Iterator[PrivateNeo4j]:
    server = PrivateNeo4j.create(server_env)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def private_postgres(server_env: dict[str, str]) -> Iterator[PrivatePostgres]:
    server = PrivatePostgres.create(server_env)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def private_rabbitmq(server_env: dict[str, str]) -> Iterator[PrivateRabbitMQ]:
    server = PrivateRabbitMQ.create(server_env)
    try:
        server.start()
        yield server
    finally:
        server.remove()

"""schemathesis against the served `/openapi.json`: generated requests, valid and invalid, to every
operation of the real app (`discogsography demo` on the sample dump). No answer may be a server error,
and every answer must fit the schema the app publishes for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.openapi.schemas import OpenApiSchema

from tests import servers


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    port = servers.free_port()
    env = servers.embedded_environ(DISCOGSOGRAPHY_DATA_DIR=str(data_dir), RATE_LIMITS_ENABLED="false")
    with servers.running_app(["demo", "--port", str(port)], env, port) as base:
        yield base


@pytest.fixture(scope="module")
def api_schema(demo_url: str) -> OpenApiSchema:
    return schemathesis.openapi.from_url(f"{demo_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_fits_the_schema(case: Case) -> None:
    case.call_and_validate()

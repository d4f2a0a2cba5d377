"""schemathesis against the served `/openapi.json`: generated requests, valid and invalid, to every
operation of the real app (`discogsography demo` on the sample dump), run as its own command line.

The checks are the schema's promises: no server error, only documented status codes, content types
and headers, and every body fitting its schema; also that an undeclared method gets a 405 with Allow
and that invalid input is refused. Not checked: that every schema-valid request succeeds, since the
contract refuses some on purpose (an unknown search type or category is a 400, an unknown name 404).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import servers

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
)


@pytest.mark.timeout(900)
def test_no_server_error_and_every_answer_fits_the_schema(tmp_path: Path) -> None:
    port = servers.free_port()
    env = servers.embedded_environ(DISCOGSOGRAPHY_DATA_DIR=str(tmp_path), RATE_LIMITS_ENABLED="false")
    with servers.running_app(["demo", "--port", str(port)], env, port) as base:
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base}/openapi.json",
                "--checks",
                ",".join(CHECKS),
                "--max-examples",
                "40",
                "--seed",
                "1",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=800,
            check=False,
        )

    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    selected = re.search(r"Selected: (\d+)/(\d+)", run.stdout)
    assert selected is not None
    assert selected[1] == selected[2], "every operation was tested"

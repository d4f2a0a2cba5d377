#!/usr/bin/env bash
# The test command (README, .ci/run): install what is missing, start the four servers on
# loopback (reusing running ones), then the static checks and the whole pytest suite.
# Extra arguments go to pytest, e.g. `make test ARGS="tests/unit -x"`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
began=$SECONDS

bash deploy/local/install.sh

printf '\n== Services\n'
.venv/bin/discogsography services start

printf '\n== Static checks\n'
.venv/bin/ruff check domain adapters applications tests
.venv/bin/ruff format --check domain adapters applications tests
.venv/bin/mypy --strict domain adapters applications

printf '\n== Tests\n'
status=0
.venv/bin/pytest "$@" || status=$?
echo "test command finished in $((SECONDS - began)) s (pytest exit $status)"
exit "$status"

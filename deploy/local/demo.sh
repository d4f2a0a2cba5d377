#!/usr/bin/env bash
# The README's first command: from a clean checkout to the explorer on the bundled sample dump.
# Needs only python3 (3.11) and, to build the explorer's pages, Node.js with npm; no server.
# Arguments go to `discogsography demo` (e.g. --port 8080, --dump-dir DIR, --no-serve).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash deploy/local/install-python.sh
bash deploy/local/install-frontend.sh
exec .venv/bin/discogsography demo "$@"

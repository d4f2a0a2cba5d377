#!/usr/bin/env bash
# The project's Python environment in .venv, pinned by deploy/constraints.txt (uv installs it).
# Skips itself when pyproject.toml and the constraints have not changed since the last install.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
UV_VERSION=0.13.9

stamp=.venv/.installed
wanted=$(cat pyproject.toml deploy/constraints.txt | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "python environment: up to date"
else
  began=$SECONDS
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q "uv==$UV_VERSION"
  .venv/bin/uv pip install -q --python .venv/bin/python -c deploy/constraints.txt -e '.[dev]'
  echo "$wanted" >"$stamp"
  echo "python environment: installed ($((SECONDS - began)) s)"
fi

#!/usr/bin/env bash
# Set everything up (scripts/setup.sh), then run every check CI runs:
# formatting, lint, types, import contracts and the whole test suite.
# Extra arguments go to pytest (e.g. -k bit_order).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/setup.sh"

venv=${PROXIMA_VENV:-$root/.venv}
export PATH="$venv/bin:$PATH"

ruff format --check .
ruff check .
mypy
lint-imports
python -m pytest "$@"

#!/usr/bin/env bash
# Set everything up (scripts/setup.sh) and run the main job: the shipped
# QASMBench circuits and two generated benchmarks on every installed
# backend, compared with the exact reference. Extra arguments go to
# `proxima run` (e.g. --shots 8192).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"

venv=${PROXIMA_VENV:-$root/.venv}
exec "$venv/bin/proxima" run "$root"/examples/circuits/qasmbench/*.qasm \
  ghz:5 qft:4 --shots 4096 --seed 7 --out "$root/proxima-out" "$@"

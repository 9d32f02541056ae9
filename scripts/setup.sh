#!/usr/bin/env bash
# Create .venv (if needed) and install the kernel, the first-party plugins
# and the development tools into it, editable. Safe to run again: it
# reinstalls only when a pyproject.toml changed since the last install.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

python=${PYTHON:-python3}
venv=${PROXIMA_VENV:-$root/.venv}

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi

# The kernel and every first-party plugin; the plugins resolve
# proxima-kernel to this checkout because it is in the same install.
projects=(.)
for dir in plugins/*/; do
  [ -f "$dir/pyproject.toml" ] && projects+=("$dir")
done

stamp="$venv/.proxima-installed"
digest=$(cat "${projects[@]/%//pyproject.toml}" scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi

args=(-e ".[dev]")
for dir in "${projects[@]:1}"; do
  extras=$(grep -q '^test = ' "$dir/pyproject.toml" && echo "[test]" || true)
  args+=(-e "$dir$extras")
done

echo "Installing ${#projects[@]} distributions into $venv ..." >&2
"$venv/bin/python" -m pip install --quiet "${args[@]}"
echo "$digest" > "$stamp"

# Shared by scripts/demo and scripts/test: a virtualenv with the project installed, and the front-end build.
# Sourced, not run. Re-running it is cheap: pip and npm skip what is already there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "乡治需要 Python 3.11（当前：$("$PYTHON" --version 2>&1)）。" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)-${XZ_EXTRAS:-base}"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -e ".${XZ_EXTRAS:+[$XZ_EXTRAS]}"
  touch "$stamp"
fi
if [ ! -f build/static/vendor/htmx.min.js ] || [ package.json -nt build/static/vendor/htmx.min.js ]; then
  npm install --no-audit --no-fund --loglevel=error
  npm run -s build
fi
export PATH="$ROOT/.venv/bin:$PATH"

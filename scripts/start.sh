#!/usr/bin/env bash
# `npm start`: runs the compiled code (dist/src/main.js), building it first when it is missing or older
# than any file it is built from. `scripts/start.sh --build-if-stale` only builds (the fault suite's setup).
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.build-stamp
stale() {
  [ -f "$stamp" ] || return 0
  # Anything compiled in (or the compiler settings and dependencies) newer than the last build.
  [ -n "$(find src adapters migrations tsconfig.json tsconfig.build.json package-lock.json -newer "$stamp" -print -quit 2>/dev/null)" ]
}
if stale; then
  echo "[start] dist/ is missing or older than the sources: building (npm run build)" >&2
  npm run --silent build >&2
fi
[ "${1:-}" = "--build-if-stale" ] && exit 0
# exec: SIGTERM from the supervisor reaches node itself (graceful shutdown).
exec node --enable-source-maps dist/src/main.js

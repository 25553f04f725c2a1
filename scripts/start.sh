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
# The web app's build (web/dist) on its own: missing, or older than a file under web/ or the lock file.
web_stale() {
  [ -f web/dist/index.html ] || return 0
  [ package-lock.json -nt web/dist/index.html ] && return 0
  [ -n "$(find web -path web/dist -prune -o -type f -newer web/dist/index.html -print -quit)" ]
}
# Each part only when it is stale: a web build empties web/dist first, under whatever serves it.
if stale; then
  echo "[start] dist/ is missing or older than the sources: building it (npm run build -- --server-only)" >&2
  bash scripts/build.sh --server-only >&2
fi
if web_stale; then
  echo "[start] web/dist is missing or older than web/: building it (npm run build:web)" >&2
  npm run --silent build:web >&2
fi
[ "${1:-}" = "--build-if-stale" ] && exit 0
# exec: SIGTERM from the supervisor reaches node itself (graceful shutdown).
exec node --enable-source-maps dist/src/main.js

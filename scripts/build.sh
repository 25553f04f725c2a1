#!/usr/bin/env bash
# `npm run build`: a clean compile of src/, adapters/ and migrations/ into dist/ (tsconfig.build.json), then
# the web app (web/ → web/dist, Vite). `--server-only` skips the web app (start.sh builds each part only
# when it is stale: rebuilding web/dist empties it, under any server that is serving it).
# mappings/ is read from the project root at run time (src/platform/project-root.ts), not copied.
set -euo pipefail
cd "$(dirname "$0")/.."
# Stamp the start of the build: a source saved while tsc runs makes the next start rebuild.
tmp=$(mktemp)
rm -rf dist
npx tsc -p tsconfig.build.json
mv "$tmp" dist/.build-stamp
[ "${1:-}" = "--server-only" ] && exit 0
npm run --silent build:web

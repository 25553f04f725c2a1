#!/usr/bin/env bash
# `npm run build`: a clean compile of src/, adapters/ and migrations/ into dist/ (tsconfig.build.json), then
# the web app (web/ → web/dist, Vite).
# mappings/ is read from the project root at run time (src/shared/project-root.ts), not copied.
set -euo pipefail
cd "$(dirname "$0")/.."
# Stamp the start of the build: a source saved while tsc runs makes the next start rebuild.
tmp=$(mktemp)
rm -rf dist
npx tsc -p tsconfig.build.json
mv "$tmp" dist/.build-stamp
npm run --silent build:web

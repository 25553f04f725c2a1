#!/usr/bin/env bash
# `npm test`: make sure MariaDB and Redis answer (starting or installing them if not) and that Chromium is
# installed for the browser tests, then run jest.
set -euo pipefail
cd "$(dirname "$0")/.."
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${TEST_DATABASE_SERVER_URL:-}" ] && { ! port_open 3306 || ! port_open 6379; }; then
  bash scripts/services.sh
elif [ ! -x /usr/bin/chromium ]; then
  bash scripts/services.sh
fi
exec npx jest "$@"

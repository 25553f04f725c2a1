#!/usr/bin/env bash
# Makes MariaDB (127.0.0.1:3306, root, empty password) and Redis (127.0.0.1:6379) reachable on loopback:
# leaves running ones alone, starts installed ones, installs missing ones from Debian's packages; installs
# Debian's Chromium (/usr/bin/chromium) for the browser tests when it is missing.
# Only the default local addresses are managed; a DATABASE_URL/REDIS_URL elsewhere is the operator's business.
set -euo pipefail

log() { echo "[services] $*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do
    port_open "$port" && return 0
    sleep 0.5
  done
  log "ERROR: $name did not open port $port"
  return 1
}

mariadb_client() { if command -v mariadb >/dev/null; then echo mariadb; else echo mysql; fi; }

ensure_mariadb() {
  if port_open 3306; then
    log "MariaDB/MySQL already answers on 127.0.0.1:3306"
  else
    if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ] && [ ! -x /usr/sbin/mysqld ]; then
      apt_install mariadb-server mariadb-client
    fi
    local bin=/usr/sbin/mariadbd
    [ -x "$bin" ] || bin=/usr/sbin/mysqld
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    if [ ! -d /var/lib/mysql/mysql ]; then
      log "initialising the MariaDB data directory"
      as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    log "starting MariaDB"
    as_root start-stop-daemon --start --oknodo --background --exec "$bin" -- --user=mysql --bind-address=127.0.0.1
    wait_port 3306 MariaDB
  fi
  local client; client=$(mariadb_client)
  # Debian's root logs in through the unix socket only; the app connects over TCP with an empty password.
  if ! "$client" -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    log "allowing root@localhost over TCP with an empty password"
    # Both host spellings: with skip-name-resolve a TCP login from 127.0.0.1 does not match 'localhost'.
    as_root "$client" -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket; CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" \
      || log "WARNING: could not change root authentication"
  fi
}

ensure_redis() {
  if port_open 6379; then
    log "Redis already answers on 127.0.0.1:6379"
    return
  fi
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  wait_port 6379 Redis
}

# The browser tests (test/web) drive Debian's Chromium through playwright-core: the machines reach Debian's
# packages but cannot download Playwright's own browser builds.
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then
    log "Chromium already installed at /usr/bin/chromium"
    return
  fi
  apt_install chromium
}

ensure_mariadb
ensure_redis
ensure_chromium
log "ready: MariaDB 127.0.0.1:3306, Redis 127.0.0.1:6379, Chromium /usr/bin/chromium"

#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints its URL. Usage:
#   eval "$(scripts/pg-throwaway.sh start)"   # exports GATEHOUSE_TEST_DATABASE_URL and PG_THROWAWAY_DIR
#   scripts/pg-throwaway.sh stop "$PG_THROWAWAY_DIR"
# Works as root (initdb refuses to run as root, so the cluster belongs to the `postgres` user) or as an
# ordinary user. Uses the server binaries of the newest installed major version.
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin=$(find_bin) || { echo "no PostgreSQL server binaries found (apt-get install postgresql)" >&2; exit 1; }
    dir=$(mktemp -d /tmp/gatehouse-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(free_port)
    # A linguistic default collation (ICU en-US, where the server has ICU: PostgreSQL 15 and later), as the postgres
    # image's en_US.utf8 default is, so the tests prove the store orders and pages bytewise whatever the database's
    # default (migration 0012); this machine's C.UTF-8 would order bytewise by itself and prove nothing.
    locale=()
    if "$bin/initdb" --help | grep -- --icu-locale >/dev/null && "$bin/pg_config" --configure | grep -- --with-icu >/dev/null; then
      locale=(--locale-provider=icu --icu-locale=en-US)
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync "${locale[@]}" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c max_connections=300" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export PG_THROWAWAY_DIR=$dir PG_THROWAWAY_BIN=$bin"
    echo "export GATEHOUSE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?usage: pg-throwaway.sh stop DIR}
    bin=${PG_THROWAWAY_BIN:-$(find_bin)}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: `scripts/pg.sh start DIR` prints the URL to use as
# JILI_DATABASE_URL; `scripts/pg.sh stop DIR` stops it and removes DIR. Installs PostgreSQL from Debian when
# missing. PostgreSQL refuses to run as root: the cluster runs as the `postgres` user, trusting local
# connections on a socket inside DIR (nothing listens on the network), with fsync off (throwaway data).
# PG_SHARED_BUFFERS sets shared_buffers (default 512MB; the scale benchmark uses a quarter of RAM).
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] && [ "$cmd" = start ]; then
  SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
  echo "pg.sh: installing postgresql" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = "0" ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir/data" --auth=trust --username=postgres --encoding=UTF8 --locale=C >/dev/null
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off -c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 \
      -c shared_buffers=${PG_SHARED_BUFFERS:-512MB}" start >/dev/null
    as_pg "$bin/psql" -h "$dir" -U postgres -d postgres -qc "CREATE DATABASE jili" 2>/dev/null || true
    echo "postgresql://postgres@/jili?host=$dir"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
esac

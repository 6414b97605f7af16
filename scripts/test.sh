#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine with Python 3.11, then run it.
# Used by the README's second quick-start command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
# The report test renders HTML in Debian's chromium; install it when we can (root on Debian).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "note: could not install chromium; the browser test will be skipped"
fi
# The web app's tests run again on PostgreSQL: start a throwaway server (Debian's postgresql, installed
# when we are root on Debian) in a temporary folder on a free port, and tell the tests its URL.
# Without one the PostgreSQL half of those tests is skipped, and pytest says why.
PG_TMP=""
stop_postgres() {
  if [ -n "$PG_TMP" ] && [ -f "$PG_TMP/data/postmaster.pid" ]; then
    $PG_AS "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  [ -n "$PG_TMP" ] && rm -rf "$PG_TMP"
  return 0
}
start_postgres() {
  [ -n "${REALPOLITIK_TEST_PG:-}" ] && return 0  # the caller brought its own server
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$PG_BIN" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
      || { echo "note: could not install postgresql; the PostgreSQL web tests will be skipped"; return 0; }
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  if [ -z "$PG_BIN" ]; then
    echo "note: no PostgreSQL found; the PostgreSQL web tests will be skipped"
    return 0
  fi
  PG_AS=""
  if [ "$(id -u)" = 0 ]; then  # initdb and postgres refuse to run as root
    id postgres >/dev/null 2>&1 || { echo "note: no postgres user; the PostgreSQL web tests will be skipped"; return 0; }
    PG_AS="runuser -u postgres --"
  fi
  PG_TMP=$(mktemp -d /tmp/realpolitik-pg.XXXXXX)
  [ -n "$PG_AS" ] && chown postgres "$PG_TMP"
  local port
  port=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if $PG_AS "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U postgres --no-sync >"$PG_TMP/initdb.log" 2>&1 \
    && $PG_AS "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
      -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null; then
    export REALPOLITIK_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
    echo "PostgreSQL for the web tests: $REALPOLITIK_TEST_PG (throwaway, in $PG_TMP)"
  else
    echo "note: PostgreSQL did not start (see below); the PostgreSQL web tests will be skipped"
    tail -n 5 "$PG_TMP/initdb.log" "$PG_TMP/server.log" 2>/dev/null || true
  fi
}
trap stop_postgres EXIT
start_postgres
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/ruff format --check src tests benchmarks scripts
.venv/bin/mypy
# pytest exits 5 when it collected no test: that is a failure here, as is any failing test.
# (Not exec: the PostgreSQL server is stopped when this script exits.)
status=0
.venv/bin/python -m pytest -q "$@" || status=$?
exit "$status"

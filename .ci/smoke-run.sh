#!/usr/bin/env bash
# `make run` on a fresh data directory with no configuration: it must start, serve the login
# page, and stop cleanly on Ctrl-C (SIGINT to its process group), embedded PostgreSQL included.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=$(mktemp -d /tmp/segrate-smoke.XXXXXX)
log="$data_dir/run.log"
# A port nobody else listens on: a server already answering there (a helper's, an earlier
# run's) would be checked instead of ours.
port=${SMOKE_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
  echo "port $port already answers: set SMOKE_PORT to a free one"; exit 1
fi
env -u DATABASE_URL -u REDIS_URL DATA_DIR="$data_dir" RUN_PORT="$port" \
  setsid make run >"$log" 2>&1 &
pgid=$!
cleanup() {
  kill -KILL -- "-$pgid" 2>/dev/null || true
  # Killed, make run cannot stop its PostgreSQL: stop it here (never a signal to a guessed pid).
  if [ -f "$data_dir/pgdata/PG_VERSION" ]; then
    .venv/bin/python -c "import sys; from pathlib import Path; \
from segrate_compliance.embedded_db import EmbeddedPostgres; \
EmbeddedPostgres(Path(sys.argv[1])).stop()" "$data_dir" 2>/dev/null || true
  fi
}
trap cleanup EXIT

status=000
for _ in $(seq "${SMOKE_WAIT:-180}"); do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/accesso/" || true)
  [ "$status" = 200 ] && break
  sleep 1
done
if [ "$status" != 200 ]; then
  echo "make run did not serve the login page (last status $status)"; tail -50 "$log"; exit 1
fi
echo "login page answered 200"
health=$(curl -s -D "$data_dir/health.headers" "http://127.0.0.1:$port/health/")
[ "$health" = '{"database": "ok"}' ] || { echo "health check answered: $health"; exit 1; }
grep -qi '^x-request-id: ' "$data_dir/health.headers" || { echo "no X-Request-ID header"; exit 1; }
echo "health check answered ok, with a request id"
logged=no
for _ in $(seq 10); do  # the worker writes its line as it answers: give it a moment
  if grep -Eq 'INFO segrate_compliance\.request request_id=[0-9a-f]{32} user=anon GET /health/ 200' \
    "$log"; then logged=yes; break; fi
  sleep 1
done
[ "$logged" = yes ] || { echo "the request was not logged in the one format"; tail -20 "$log"; exit 1; }
grep -q "gestore.utenti" "$log" || { echo "demo logins were not printed"; exit 1; }

kill -INT -- "-$pgid"
for _ in $(seq 40); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 1; done
if kill -0 -- "-$pgid" 2>/dev/null; then
  echo "make run did not stop within 40 s of Ctrl-C"; tail -30 "$log"; exit 1
fi
if pgrep -f "$data_dir/pgdata" >/dev/null; then
  echo "embedded PostgreSQL still running after make run stopped"; exit 1
fi
if curl -s -o /dev/null "http://127.0.0.1:$port/accesso/"; then
  echo "web server still answering after make run stopped"; exit 1
fi
grep -q "PostgreSQL incorporato fermato" "$log" || { echo "no clean database stop"; exit 1; }
echo "make run stopped cleanly"
rm -rf "$data_dir"

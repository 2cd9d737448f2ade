#!/usr/bin/env bash
# `make run` on a fresh data directory with no configuration: it must start, serve the login
# page, and stop cleanly on Ctrl-C (SIGINT to its process group), embedded PostgreSQL included.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=$(mktemp -d /tmp/segrate-smoke.XXXXXX)
log="$data_dir/run.log"
port=${SMOKE_PORT:-8765}
env -u DATABASE_URL -u REDIS_URL DATA_DIR="$data_dir" RUN_PORT="$port" \
  setsid make run >"$log" 2>&1 &
pgid=$!
cleanup() { kill -KILL -- "-$pgid" 2>/dev/null || true; }
trap cleanup EXIT

status=000
for _ in $(seq 120); do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/accesso/" || true)
  [ "$status" = 200 ] && break
  sleep 1
done
if [ "$status" != 200 ]; then
  echo "make run did not serve the login page (last status $status)"; tail -50 "$log"; exit 1
fi
echo "login page answered 200"
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

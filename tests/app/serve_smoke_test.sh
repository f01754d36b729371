#!/usr/bin/env bash
# The koban binary end to end: CLI answers, `serve --demo` comes up on an empty data
# directory, serves pages, /healthz, /metrics and /admin/mail, and stops cleanly on SIGTERM.
set -euo pipefail
koban="$1"
work=$(mktemp -d /tmp/koban-smoke.XXXXXX)
pid=""
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$koban" --version | grep -q '^koban ' || fail "--version"
"$koban" serve --help | grep -q -- '--listen' || fail "serve --help"
"$koban" nosuchcommand 2>/dev/null && fail "unknown command accepted"
"$koban" serve --bogus 2>/dev/null && fail "unknown option accepted"
[ "$("$koban" calendar holidays 2019 | wc -l)" -eq 22 ] || fail "2019 has 22 holidays"
"$koban" calendar holidays 2019 | grep -q $'^2019-05-01\t.*即位の日' || fail "2019-05-01"
"$koban" calendar check 2026-05-03T21:59 | grep -q '当直' || fail "calendar check on a holiday night"
"$koban" calendar check 2026-13-01T00:00 2>/dev/null && fail "bad date accepted"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$koban" serve --demo --data "$work/data" --listen "127.0.0.1:$port" >"$work/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 0.1
done
[ "$(curl -s "http://127.0.0.1:$port/healthz")" = "ok" ] || fail "/healthz"
curl -s "http://127.0.0.1:$port/" | grep -q 'サンプル県警察' || fail "home page"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/no/such/page" | grep -q 404 || fail "404"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^koban_jobs_queued ' || fail "/metrics jobs"
for _ in $(seq 1 50); do
  curl -s "http://127.0.0.1:$port/admin/mail" | grep -q 'demo.taro@example.jp' && break
  sleep 0.1
done
curl -s "http://127.0.0.1:$port/admin/mail" | grep -q 'demo.taro@example.jp' || fail "/admin/mail lists the demo mail"
# A worker beside the server on the same data directory (scale-out shape), stopped by SIGTERM.
"$koban" worker --data "$work/data" >"$work/worker.log" 2>&1 &
wpid=$!
for _ in $(seq 1 50); do grep -q 'worker ready' "$work/worker.log" && break; sleep 0.1; done
grep -q 'worker ready' "$work/worker.log" || fail "koban worker did not start: $(cat "$work/worker.log")"
kill -TERM "$wpid"
wait "$wpid" || fail "worker exit status after SIGTERM"
grep -q '"path":"/healthz"' "$work/data/logs/access.log" || sleep 1.2
curl -s -o /dev/null "http://127.0.0.1:$port/healthz"
kill -TERM "$pid"
wait "$pid" || fail "exit status after SIGTERM"
grep -q 'koban: stopped' "$work/out.log" || fail "clean stop"
grep -q '"path":"/healthz"' "$work/data/logs/access.log" || fail "access log"
"$koban" backup "$work/backup.db" --data "$work/data" | grep -q 'backup written' || fail "backup"
"$koban" restore "$work/backup.db" --data "$work/data" | grep -q 'restored' || fail "restore"
echo "1 passed, 0 failed"

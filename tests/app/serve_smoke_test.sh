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
# Staff login: the login form's CSRF cookie, a wrong password, the right one, permissions.
base="http://127.0.0.1:$port"
login() {  # login_name password cookie_jar → HTTP status of the POST
  curl -s -c "$3" "$base/admin/login" >"$work/login.html"
  local csrf
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$work/login.html" | sed 's/.*value="//;s/"$//')
  curl -s -b "$3" -c "$3" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
       --data-urlencode "login_name=$1" --data-urlencode "password=$2" "$base/admin/login"
}
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/admin/mail")" = 303 ] || fail "/admin/mail without login redirects"
[ "$(login system.kanri wrong-Password1 "$work/jar")" = 401 ] || fail "wrong password"
[ "$(login system.kanri Demo-Koban-2026 "$work/jar")" = 303 ] || fail "login as system.kanri"
for _ in $(seq 1 50); do
  curl -s -b "$work/jar" "$base/admin/mail" | grep -q 'demo.taro@example.jp' && break
  sleep 0.1
done
curl -s -b "$work/jar" "$base/admin/mail" | grep -q 'demo.taro@example.jp' || fail "/admin/mail lists the demo mail"
[ "$(login chuo.tanto Demo-Koban-2026 "$work/jar2")" = 303 ] || fail "login as chuo.tanto"
[ "$(curl -s -b "$work/jar2" -o /dev/null -w '%{http_code}' "$base/admin/mail")" = 403 ] || fail "station staff may not read the mail log"
[ "$(curl -s -b "$work/jar2" -o /dev/null -w '%{http_code}' -d csrf=forged "$base/admin/logout")" = 403 ] || fail "logout with a forged CSRF token"
[ "$(curl -s -o /dev/null -w '%{http_code}' -d 'csrf=x&login_name=a&password=b' "$base/admin/login")" = 403 ] || fail "login without the form's cookie"
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
"$koban" audit verify --data "$work/data" >/dev/null || fail "audit verify on an intact trail"
sqlite3 "$work/data/koban.db" "UPDATE audit_log SET summary = 'tampered' WHERE seq = 2"
out=$("$koban" audit verify --data "$work/data" 2>&1) && fail "audit verify missed an edited row"
echo "$out" | grep -q 'seq 2' || echo "$out" | grep -q '2' || fail "audit verify names the row: $out"
"$koban" backup "$work/backup.db" --data "$work/data" | grep -q 'backup written' || fail "backup"
"$koban" restore "$work/backup.db" --data "$work/data" | grep -q 'restored' || fail "restore"
echo "1 passed, 0 failed"

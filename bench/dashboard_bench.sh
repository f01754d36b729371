#!/usr/bin/env bash
# Issue 3 figure: a logged-in dashboard request with 10,000 audit rows and 500 people, 32
# concurrent sessions (32 different logins, one connection each), p99 < 20 ms.
# The issue names no peer program, so the reference is the goal itself: the script ends with
# `ratio: X` = 20 ms ÷ measured p99 (higher is better; ≥ 1 meets the goal). For scale it also
# prints nginx serving the same dashboard HTML as a static file with the same wrk settings.
#   bench/dashboard_bench.sh [seconds, default 10]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
bench_need nginx-light wrk curl python3 sqlite3
koban=$(bench_koban)
work=$(mktemp -d /tmp/koban-dashbench.XXXXXX)
cleanup() {
  [ -n "${kpid:-}" ] && kill "$kpid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

kport=$(bench_free_port)
# First start fills the demo force; stop, add the bulk data, start again.
KOBAN_SERVER_ACCESS_LOG=off "$koban" serve --demo --data "$work/data" --listen "127.0.0.1:$kport" >"$work/koban.log" 2>&1 &
kpid=$!
bench_wait_http "$kport" /healthz
kill "$kpid"; wait "$kpid" || true; kpid=""

python3 - "$work/data/koban.db" <<'PY'
import sqlite3, sys, time, hashlib
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
units = [r[0] for r in db.execute("SELECT id FROM units")]
n_people = db.execute("SELECT COUNT(*) FROM people").fetchone()[0]
for i in range(500 - n_people):
    db.execute("INSERT INTO people (login_name, display_name, unit_id, created_at, status_changed_at) VALUES (?,?,?,?,?)",
               (f"bench.p{i}", f"職員 {i}", units[i % len(units)], now, now))
last = db.execute("SELECT COALESCE(MAX(seq),0), COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), ?) FROM audit_log",
                  ("0" * 64,)).fetchone()
seq, prev = last
# Rows for the dashboard's queries to sit on (not a valid chain: `audit verify` is benched apart).
for i in range(10000):
    seq += 1
    h = hashlib.sha256(f"{seq}{prev}".encode()).hexdigest()
    db.execute("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (seq, now - 10000 + i, None, "ベンチ", units[i % len(units)], "所属", "bench.event", "bench",
                str(i), "ベンチマーク用の記録", "127.0.0.1", "ok", prev, h))
    prev = h
db.commit()
print("people:", db.execute("SELECT COUNT(*) FROM people").fetchone()[0],
      "audit rows:", db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])
PY

KOBAN_SERVER_ACCESS_LOG=off KOBAN_SERVER_IO_THREADS=1 "$koban" serve --data "$work/data" --listen "127.0.0.1:$kport" >"$work/koban.log" 2>&1 &
kpid=$!
bench_wait_http "$kport" /healthz

# 32 sessions: the demo people, logged in through the real form.
python3 - "$kport" "$work/cookies.txt" <<'PY'
import http.cookiejar, re, sqlite3, sys, urllib.parse, urllib.request
port, out = sys.argv[1], sys.argv[2]
logins = ["somu.kacho","system.kanri","somu.hosa","koho.kacho","koho.hosa","seian.kacho","seian.hosa",
          "chuo.shocho","chuo.fukushocho","chuo.tochoku","chuo.tanto","kita.shocho","kita.fukushocho",
          "kita.tochoku","kita.tanto","minami.shocho","minami.fukushocho","minami.tochoku","minami.tanto",
          "higashi.shocho","higashi.fukushocho","higashi.tochoku","higashi.tanto","nishi.shocho",
          "nishi.fukushocho","nishi.tochoku","nishi.tanto","honbu.tochoku"]
sessions = []
for i in range(32):
    name = logins[i % len(logins)]
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = op.open(f"http://127.0.0.1:{port}/admin/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]*)"', html).group(1)
    data = urllib.parse.urlencode({"csrf": csrf, "login_name": name, "password": "Demo-Koban-2026"}).encode()
    op.open(f"http://127.0.0.1:{port}/admin/login", data)
    tok = [c.value for c in jar if c.name == "koban_session"]
    if not tok: sys.exit(f"login failed for {name}")
    sessions.append(tok[0])
open(out, "w").write("\n".join(sessions) + "\n")
PY
curl -s -H "Cookie: koban_session=$(head -1 "$work/cookies.txt")" "http://127.0.0.1:$kport/admin/" >"$work/dashboard.html"
grep -q 'ダッシュボード' "$work/dashboard.html" || { echo "dashboard did not render" >&2; exit 1; }

# wrk: each of the 32 connections uses its own session cookie.
{
  echo 'local cookies = {'
  while read -r c; do echo "  \"koban_session=$c\","; done <"$work/cookies.txt"
  echo '}'
  cat <<'LUA'
local counter = 0
setup = function(thread) end
init = function(args) end
request = function()
  counter = counter + 1
  return wrk.format("GET", "/admin/", { ["Cookie"] = cookies[(counter % #cookies) + 1] })
end
LUA
} >"$work/sessions.lua"
wrk -t1 -c32 -d"${secs}s" --latency -s "$work/sessions.lua" "http://127.0.0.1:$kport/" >"$work/wrk.out"
krps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
kp99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.out")

# nginx with the same bytes, for scale.
nport=$(bench_free_port)
mkdir -p "$work/www/admin"; cp "$work/dashboard.html" "$work/www/admin/index.html"
cat >"$work/nginx.conf" <<CONF
worker_processes 1; pid $work/nginx.pid; error_log $work/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; types { text/html html; } server { listen 127.0.0.1:$nport; root $work/www; } }
CONF
nginx -c "$work/nginx.conf" -p "$work"
bench_wait_http "$nport" /admin/
wrk -t1 -c32 -d"${secs}s" --latency "http://127.0.0.1:$nport/admin/" >"$work/wrk-nginx.out"
nrps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-nginx.out")
np99=$(awk '$1=="99%" {print $2}' "$work/wrk-nginx.out")

echo "koban dashboard, 32 sessions: $krps req/s, p99 $kp99 (goal < 20 ms)${non2xx:+, non-2xx: $non2xx}"
echo "nginx, same HTML as a static file: $nrps req/s, p99 $np99"
to_ms() { python3 -c "import sys; v=sys.argv[1]; print(float(v[:-2]) if v.endswith('ms') else float(v[:-2])/1000 if v.endswith('us') else float(v[:-1])*1000)" "$1"; }
echo "ratio: $(python3 -c "print(round(20.0 / $(to_ms "$kp99"), 3))")"

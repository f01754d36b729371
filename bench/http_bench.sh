#!/usr/bin/env bash
# A cached 10 KB HTML page: koban (a published file, served from its memory cache) vs the same
# bytes as a static file from nginx with one worker (koban with one I/O thread). wrk, 64
# connections, one thread; access logs off on both.
#   bench/http_bench.sh [seconds per run, default 10] [rounds, default 3]
# Prints requests/s and p99 latency of each and ends with `ratio: X` (koban ÷ nginx req/s,
# best round of each).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
rounds=${2:-3}
bench_need nginx-light wrk curl python3
koban=$(bench_koban)
work=$(mktemp -d /tmp/koban-httpbench.XXXXXX)
cleanup() {
  [ -n "${kpid:-}" ] && kill "$kpid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"  # nginx's worker runs as www-data

# The page: 10 KB of Japanese HTML, the same file for both servers.
mkdir -p "$work/data/public/news" "$work/www/news"
python3 - "$work/data/public/news/page.html" <<'PY'
import sys
head = '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>お知らせ</title></head><body><main><h1>特殊詐欺に注意</h1>'
para = '<p>最近、警察官や市役所職員をかたる電話が相次いでいます。キャッシュカードを預かる、暗証番号を聞くことは絶対にありません。</p>\n'
body = head
while len(body.encode()) < 10240 - 40:
    body += para
body = body.encode()[:10240 - 22].decode('utf-8', 'ignore')
body += '</main></body></html>\n'
data = body.encode()
data = data + b' ' * (10240 - len(data))
open(sys.argv[1], 'wb').write(data)
PY
cp "$work/data/public/news/page.html" "$work/www/news/page.html"

kport=$(bench_free_port)
nport=$(bench_free_port)
# One I/O thread, like nginx's one worker: the same share of the two cores, wrk has the rest.
KOBAN_SERVER_IO_THREADS=1 KOBAN_SERVER_ACCESS_LOG=off "$koban" serve --data "$work/data" --listen "127.0.0.1:$kport" >"$work/koban.log" 2>&1 &
kpid=$!
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { text/html html; }
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
bench_wait_http "$kport" /news/page.html || { cat "$work/koban.log"; exit 1; }
bench_wait_http "$nport" /news/page.html || { cat "$work/nginx-error.log"; exit 1; }
# Same bytes from both?
cmp <(curl -s "http://127.0.0.1:$kport/news/page.html") <(curl -s "http://127.0.0.1:$nport/news/page.html")

run_wrk() {  # port → "rps p99ms"
  wrk -t1 -c64 -d"${secs}s" --latency "http://127.0.0.1:$1/news/page.html" >"$work/wrk.out"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
  echo "$rps $p99"
}

best_k=0; best_n=0
for r in $(seq 1 "$rounds"); do
  read -r krps kp99 <<<"$(run_wrk "$kport")"
  read -r nrps np99 <<<"$(run_wrk "$nport")"
  echo "round $r: koban $krps req/s (p99 $kp99)   nginx $nrps req/s (p99 $np99)"
  best_k=$(python3 -c "print(max($best_k, $krps))")
  best_n=$(python3 -c "print(max($best_n, $nrps))")
done
echo "best: koban $best_k req/s, nginx $best_n req/s"
echo "ratio: $(python3 -c "print(round($best_k / $best_n, 3))")"

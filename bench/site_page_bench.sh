#!/usr/bin/env bash
# Issue 5 figure: one published article page (written by `koban site build`, site_bench build)
# served by `koban serve` from DATA/public vs nginx serving the same file from the same
# directory. Like bench/http_bench.sh: one nginx worker, koban with one I/O thread, wrk with
# one thread and 64 connections, access logs off on both.
#   bench/site_page_bench.sh [seconds per run, default 10] [rounds, default 3]
# KOBAN_BIN: a koban binary to use instead of building the Release one.
# Prints requests/s of each and ends with `ratio: X` (koban ÷ nginx req/s, best round of each).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
secs=${1:-10}
rounds=${2:-3}
bench_need nginx-light wrk curl python3
root=$(bench_root)
koban=${KOBAN_BIN:-$(bench_koban)}
build=${KOBAN_BENCH_BUILD:-$root/build/release}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKOBAN_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target site_bench -j"$(nproc)" >/dev/null
helper="$build/bench/site_bench"
work=$(mktemp -d /tmp/koban-sitepage.XXXXXX)
cleanup() {
  [ -n "${kpid:-}" ] && kill "$kpid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT

# A small published site; the page is the newest article of 安全な暮らし ＞ 防犯活動.
mkdir -p "$work/data"
"$helper" generate "$work/data/site.db" 200 "" >/dev/null
"$helper" build "$work/data/site.db" "$work/data/public" 2>/dev/null
page=$(cd "$work/data/public" && ls safety/prevention/*.html | grep -v -e index.html -e 'page[0-9]' | sort -t/ -k3 -n | tail -1)
chmod -R a+rX "$work"  # nginx's worker runs as www-data
echo "page: /$page ($(stat -c %s "$work/data/public/$page") bytes)"

kport=$(bench_free_port)
nport=$(bench_free_port)
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
    root $work/data/public;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
bench_wait_http "$kport" "/$page" || { cat "$work/koban.log"; exit 1; }
bench_wait_http "$nport" "/$page" || { cat "$work/nginx-error.log"; exit 1; }
cmp <(curl -s "http://127.0.0.1:$kport/$page") <(curl -s "http://127.0.0.1:$nport/$page")

run_wrk() {  # port → rps
  wrk -t1 -c64 -d"${secs}s" "http://127.0.0.1:$1/$page" >"$work/wrk.out"
  awk '/Requests\/sec/ {print $2}' "$work/wrk.out"
}
best_k=0; best_n=0
for r in $(seq 1 "$rounds"); do
  krps=$(run_wrk "$kport")
  nrps=$(run_wrk "$nport")
  echo "round $r: koban $krps req/s   nginx $nrps req/s"
  best_k=$(python3 -c "print(max($best_k, $krps))")
  best_n=$(python3 -c "print(max($best_n, $nrps))")
done
echo "best: koban $best_k req/s, nginx $best_n req/s"
echo "ratio: $(python3 -c "print(round($best_k / $best_n, 3))")"

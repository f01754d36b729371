#!/usr/bin/env bash
# Memory of `koban serve`: RSS idle, and RSS holding 2,000 idle keep-alive connections, next to
# nginx (one worker) holding the same connections.
# Goals: idle < 40 MB, with 2,000 connections < 150 MB.
# Ends with `ratio: X` = nginx's added memory per 2,000 connections ÷ koban's (higher is better
# for koban); the absolute figures and the goals are printed above it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
conns=${1:-2000}
bench_need nginx-light curl python3
koban=$(bench_koban)
work=$(mktemp -d /tmp/koban-membench.XXXXXX)
cleanup() {
  [ -n "${hpid:-}" ] && kill "$hpid" 2>/dev/null || true
  [ -n "${kpid:-}" ] && kill "$kpid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"  # nginx's worker runs as www-data
ulimit -n 65536 2>/dev/null || ulimit -n 8192

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
rss_tree_kb() {  # a process and its children (nginx master + worker)
  local total=0
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(rss_kb "$p"))); done
  echo "$total"
}

# Opens N keep-alive connections, sends one request on each, keeps them open until killed.
hold_connections() {
  python3 - "$1" "$2" <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
for s in socks:
    s.settimeout(10)
    s.recv(4096)
print("holding", len(socks), flush=True)
time.sleep(600)
PY
  hpid=$!
}

kport=$(bench_free_port)
nport=$(bench_free_port)
KOBAN_SERVER_ACCESS_LOG=off KOBAN_SERVER_IDLE_TIMEOUT_MS=600000 "$koban" serve --data "$work/data" --listen "127.0.0.1:$kport" >"$work/koban.log" 2>&1 &
kpid=$!
bench_wait_http "$kport" /healthz
sleep 1
k_idle=$(rss_kb "$kpid")
hold_connections "$kport" "$conns"
for _ in $(seq 1 100); do
  [ "$(curl -s "http://127.0.0.1:$kport/metrics" >/dev/null; ss -tn state established "( sport = :$kport )" | tail -n +2 | wc -l)" -ge "$conns" ] && break
  sleep 0.2
done
sleep 1
k_held=$(rss_kb "$kpid")
kill "$hpid"; hpid=""

mkdir -p "$work/www"; echo ok > "$work/www/healthz"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 8192; }
http { access_log off; keepalive_timeout 600s; keepalive_requests 100000;
  server { listen 127.0.0.1:$nport; root $work/www; } }
CONF
nginx -c "$work/nginx.conf" -p "$work"
bench_wait_http "$nport" /healthz
sleep 0.5
npid=$(cat "$work/nginx.pid")
n_idle=$(rss_tree_kb "$npid")
hold_connections "$nport" "$conns"
for _ in $(seq 1 100); do
  [ "$(ss -tn state established "( sport = :$nport )" | tail -n +2 | wc -l)" -ge "$conns" ] && break
  sleep 0.2
done
sleep 1
n_held=$(rss_tree_kb "$npid")

mb() { python3 -c "print(round($1/1024, 1))"; }
echo "koban idle RSS: $(mb "$k_idle") MB (goal < 40 MB)"
echo "koban RSS with $conns keep-alive connections: $(mb "$k_held") MB (goal < 150 MB)"
echo "nginx idle RSS (master+worker): $(mb "$n_idle") MB; with $conns connections: $(mb "$n_held") MB"
k_added=$((k_held - k_idle)); n_added=$((n_held - n_idle))
echo "added by $conns connections: koban $(mb $k_added) MB, nginx $(mb $n_added) MB"
echo "ratio: $(python3 -c "print(round(max($n_added,1) / max($k_added,1), 3))")"

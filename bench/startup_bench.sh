#!/usr/bin/env bash
# Start to ready on an empty data directory (goal < 1 s): from exec until /healthz answers,
# koban (which also creates and migrates its database) vs nginx until it answers a request.
# Median of N runs each; ends with `ratio: X` = nginx time ÷ koban time (higher is better).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-7}
bench_need nginx-light curl python3
koban=$(bench_koban)
work=$(mktemp -d /tmp/koban-startbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # nginx's worker runs as www-data

time_until_ready() {  # command... ; uses $port; prints seconds
  python3 - "$port" "$@" <<'PY'
import subprocess, sys, time, urllib.request
port, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while True:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
        break
    except Exception:
        if time.monotonic() - t0 > 20: break
        time.sleep(0.002)
print(time.monotonic() - t0)
PY
}

kt=(); nt=()
for i in $(seq 1 "$runs"); do
  port=$(bench_free_port)
  rm -rf "$work/data"
  kt+=("$(time_until_ready env KOBAN_SERVER_ACCESS_LOG=off "$koban" serve --data "$work/data" --listen "127.0.0.1:$port")")
  pkill -f "$work/data" || true
  sleep 0.2
  port=$(bench_free_port)
  mkdir -p "$work/www"; echo ok >"$work/www/healthz"
  cat >"$work/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $work/nginx.pid; error_log $work/nginx-error.log;
events {} http { access_log off; server { listen 127.0.0.1:$port; root $work/www; } }
CONF
  nt+=("$(time_until_ready nginx -c "$work/nginx.conf" -p "$work")")
  pkill -f "$work/nginx.conf" || true
  sleep 0.2
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
k=$(median "${kt[@]}"); n=$(median "${nt[@]}")
echo "koban start to ready (empty data directory, median of $runs): $(python3 -c "print(round($k*1000))") ms (goal < 1000 ms)"
echo "nginx start to ready (median of $runs): $(python3 -c "print(round($n*1000))") ms"
echo "ratio: $(python3 -c "print(round($n / $k, 3))")"

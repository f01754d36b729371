#!/usr/bin/env bash
# Issue 4 figure: "Subscribe page under load: ≥ 2,000 confirmed sign-ups/s on SQLite".
# Starts the real Release `koban serve` (temp data dir, SQLite, mail kept by the catcher
# transport, the per-IP sign-up limit lifted through KOBAN_ALERTS_SIGNUPS_PER_IP_PER_HOUR) and
# drives it with bench/subscribe_bench_main.cc: CLIENTS concurrent keep-alive clients each
# GET the form (CSRF cookie + field) and POST a unique address; then the confirmation links
# are read from the outbox in the SQLite file and every link is POSTed (second phase).
# No peer program exists, so the ratio is against the goal: `ratio: X` = confirmed sign-ups/s
# (both phases' time together) ÷ 2000; ≥ 1 meets the goal.
#   bench/subscribe_bench.sh [sign-ups, default 20000] [clients, default 32]
# KOBAN_BENCH_BUILD overrides the Release build directory (default build/release).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root=$(bench_root)
signups=${1:-20000}
clients=${2:-32}
build=${KOBAN_BENCH_BUILD:-$root/build/release}
bench_need curl python3

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKOBAN_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target koban subscribe_bench -j"$(nproc)" >/dev/null
koban="$build/src/app/koban"
helper="$build/bench/subscribe_bench"

work=$(mktemp -d /tmp/koban-subbench.XXXXXX)
cleanup() {
  [ -n "${kpid:-}" ] && kill "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

kport=$(bench_free_port)
# --demo: the stations exist (the form lists them); demo subscribers are a few hundred rows.
KOBAN_SERVER_ACCESS_LOG=off \
KOBAN_ALERTS_SIGNUPS_PER_IP_PER_HOUR=1000000000 \
KOBAN_MAIL_TRANSPORT=catcher \
  "$koban" serve --demo --data "$work/data" --listen "127.0.0.1:$kport" >"$work/koban.log" 2>&1 &
kpid=$!
bench_wait_http "$kport" /healthz
curl -fs "http://127.0.0.1:$kport/alerts/" | grep -q 'name="csrf"' || { echo "sign-up form did not render" >&2; exit 1; }

out=$("$helper" "$kport" "$work/data/koban.db" "$signups" "$clients") || { echo "$out"; echo "bench client failed" >&2; exit 1; }
echo "$out"
rate=$(echo "$out" | sed -n -E 's/^confirmed: .* ([0-9]+)\/s$/\1/p')
echo "koban: ${rate} confirmed sign-ups/s on SQLite, $clients clients (goal ≥ 2000/s)"
echo "ratio: $(python3 -c "print(round($rate / 2000.0, 3))")"

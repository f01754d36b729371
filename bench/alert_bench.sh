#!/usr/bin/env bash
# Safety-alert fan-out (issue 4's figure): koban's real pipeline vs Postfix's smtp-source, into
# one smtp-sink.
#   bench/alert_bench.sh [--pg] [subscribers, default 100000 (1000000 with --pg)] [sessions, default 20]
# koban (alert_pipeline_bench): a temporary database with every migration the app applies, the
# demo force, N confirmed demo subscribers (sealed addresses, carrier domains, both encodings),
# one whole-prefecture alert of about 1 KB of Japanese text; timed from approve_alert (the head,
# checklist) through deliver_alert (one INSERT ... SELECT run, personal messages, SMTP with the
# DeliveryPolicy the app builds, rates 0, mail.sessions = SESSIONS) to the last message
# accepted, with the peak RSS of that part (VmHWM).
# smtp-source: `-d -s SESSIONS -m COUNT -l SIZE` with koban's message count and average size.
# Second line (BULK=0 skips it): the old figure, mail/bulk's BulkSender alone on fake rows.
# Prints both msg/s and ends with `ratio: X` (koban's pipeline ÷ smtp-source).
# Builds the Release helpers if needed (KOBAN_BENCH_BUILD overrides the build directory,
# default build/release), installs postfix if missing. --pg starts a throwaway PostgreSQL
# server (scripts/pg-test-server.sh) and removes it afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
pg=0
if [ "${1:-}" = "--pg" ]; then pg=1; shift; fi
items=${1:-$([ $pg -eq 1 ] && echo 1000000 || echo 100000)}
sessions=${2:-20}
build=${KOBAN_BENCH_BUILD:-$root/build/release}

if [ ! -x /usr/sbin/smtp-sink ] || [ ! -x /usr/sbin/smtp-source ]; then bench_need postfix; fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
bulk=${BULK:-1}
targets=(alert_pipeline_bench); [ "$bulk" = 1 ] && targets+=(bulk_bench)
cmake --build "$build" --target "${targets[@]}" -j"$(nproc)" >/dev/null

work=$(mktemp -d)
chmod 755 "$work"
port=$(bench_free_port)
user_opt=(); [ "$(id -u)" -eq 0 ] && user_opt=(-u nobody)
/usr/sbin/smtp-sink "${user_opt[@]}" "127.0.0.1:$port" 1024 &
sink_pid=$!
cleanup() {
  kill $sink_pid 2>/dev/null || true
  [ $pg -eq 1 ] && "$root/scripts/pg-test-server.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

if [ $pg -eq 1 ]; then
  eval "$("$root/scripts/pg-test-server.sh" start "$work/pg")"
  url="postgresql:$KOBAN_TEST_PG"
  echo "database: PostgreSQL (throwaway server), $items subscribers"
else
  url="sqlite:$work/koban.db"
  echo "database: SQLite, $items subscribers"
fi

out=$("$build/bench/alert_pipeline_bench" 127.0.0.1 "$port" "$url" "$items" "$sessions" "$work/data")
koban_line=$(echo "$out" | grep '^koban:')
size=$(echo "$out" | sed -n 's/^size: //p')
count=$(echo "$koban_line" | sed -E 's/^koban: ([0-9]+) messages.*/\1/')
echo "$koban_line"
koban_rate=$(echo "$koban_line" | sed -E 's/.* ([0-9]+) msg\/s.*/\1/')

start=$(date +%s.%N)
/usr/sbin/smtp-source -d -s "$sessions" -m "$count" -l "$size" "127.0.0.1:$port"
end=$(date +%s.%N)
source_rate=$(python3 -c "print(round($count / ($end - $start)))")
echo "smtp-source: $count messages of $size bytes in $(python3 -c "print(round($end - $start, 2))") s, $source_rate msg/s"

if [ "$bulk" = 1 ]; then
  # The old figure: BulkSender alone on fake rows (a table of its own in the same database).
  # Its own database: the app's schema there is newer than the bench's registry knows.
  bulk_url="sqlite:$work/bulk.db"
  if [ $pg -eq 1 ]; then
    psql "$KOBAN_TEST_PG" -qc "CREATE DATABASE koban_bulk_bench" >/dev/null
    bulk_url="postgresql:${KOBAN_TEST_PG/dbname=koban_test/dbname=koban_bulk_bench}"
  fi
  bulk_line=$("$build/bench/bulk_bench" 127.0.0.1 "$port" "$bulk_url" "$items" "$sessions" "$work/data-bulk" | grep '^koban:')
  echo "bulk sender only: ${bulk_line#koban: }"
fi

python3 -c "print('ratio: %.2f' % ($koban_rate / $source_rate))"

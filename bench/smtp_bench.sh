#!/usr/bin/env bash
# SMTP client throughput: koban's SmtpDelivery vs Postfix's smtp-source, both sending
# 100,000 messages of 2 KB over 20 sessions into Postfix's smtp-sink on loopback.
#   bench/smtp_bench.sh [messages, default 100000] [sessions, default 20]
# Builds the Release smtp_bench helper if needed (KOBAN_BENCH_BUILD overrides the build
# directory, default build/release), installs postfix if missing (debconf: No configuration),
# prints both messages/s and ends with `ratio: X` (koban ÷ smtp-source, higher is better).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
messages=${1:-100000}
sessions=${2:-20}
size=2048
build=${KOBAN_BENCH_BUILD:-$root/build/release}

if [ ! -x /usr/sbin/smtp-sink ] || [ ! -x /usr/sbin/smtp-source ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postfix >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target smtp_bench -j"$(nproc)" >/dev/null
bench_bin="$build/bench/smtp_bench"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
user_opt=(); [ "$(id -u)" -eq 0 ] && user_opt=(-u nobody)
/usr/sbin/smtp-sink "${user_opt[@]}" "127.0.0.1:$port" 1024 &
sink_pid=$!
trap 'kill $sink_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

# Best of a warm-up-free single run each; both talk to the same sink.
koban_line=$("$bench_bin" 127.0.0.1 "$port" "$messages" "$sessions" "$size")
echo "$koban_line"
koban_rate=$(echo "$koban_line" | sed -E 's/.* ([0-9]+) msg\/s.*/\1/')

start=$(date +%s.%N)
/usr/sbin/smtp-source -d -s "$sessions" -m "$messages" -l "$size" "127.0.0.1:$port"
end=$(date +%s.%N)
source_rate=$(python3 -c "print(round($messages / ($end - $start)))")
echo "smtp-source: $messages messages of $size bytes in $(python3 -c "print(round($end - $start, 2))") s, $source_rate msg/s"

python3 -c "print('ratio: %.2f' % ($koban_rate / $source_rate))"

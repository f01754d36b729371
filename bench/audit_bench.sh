#!/usr/bin/env bash
# `koban audit verify` speed: audit::verify over 1,000,000 rows in a temp SQLite database,
# against the 5 s goal of issue 3.
#   bench/audit_bench.sh [rows, default 1000000]
# The rows are created through the real audit::append (50,000 per transaction), so the chain
# is exactly what koban writes. There is no peer program; the reference is sha256sum over a
# file holding the same canonical bytes verify hashes (the same amount of hashing, without the
# database). Builds the Release audit_bench helper if needed (KOBAN_BENCH_BUILD overrides the
# build directory, default build/release). Ends with `ratio: X` = sha256sum time ÷ koban
# verify time (higher is better; 1.0 would mean reading and checking cost nothing extra).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-1000000}
build=${KOBAN_BENCH_BUILD:-$root/build/release}

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKOBAN_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target audit_bench -j"$(nproc)" >/dev/null
bin="$build/bench/audit_bench"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/audit.db"

"$bin" fill "$db" "$rows"
"$bin" canonical "$db" "$tmp/canonical.bin"
bytes=$(stat -c %s "$tmp/canonical.bin")
echo "database: $(du -m "$db" | cut -f1) MB; canonical bytes hashed: $((bytes / 1000000)) MB"

# Best of three for both, each after a warm-up run (page cache warm, as on a running server).
"$bin" verify "$db" >/dev/null
best_koban=""
for _ in 1 2 3; do
  line=$("$bin" verify "$db")
  t=$(echo "$line" | sed -E 's/.* in ([0-9.]+) s.*/\1/')
  if [ -z "$best_koban" ] || python3 -c "import sys; sys.exit(0 if $t < $best_koban else 1)"; then
    best_koban=$t; best_line=$line
  fi
done
echo "koban $best_line"

sha256sum "$tmp/canonical.bin" >/dev/null
best_sha=""
for _ in 1 2 3; do
  start=$(date +%s.%N)
  sha256sum "$tmp/canonical.bin" >/dev/null
  end=$(date +%s.%N)
  t=$(python3 -c "print(round($end - $start, 3))")
  if [ -z "$best_sha" ] || python3 -c "import sys; sys.exit(0 if $t < $best_sha else 1)"; then
    best_sha=$t
  fi
done
echo "sha256sum: $((bytes / 1000000)) MB in $best_sha s"

python3 -c "
t = $best_koban
print('goal: %d rows < 5 s: %s (%.2f s)' % ($rows, 'met' if t < 5 else 'NOT met', t))
print('ratio: %.2f' % ($best_sha / t))"

#!/usr/bin/env bash
# Fuzzes the form parsers and the article Markdown renderer with libFuzzer: builds the targets
# in fuzz/ with clang-14 into
# build-fuzz (a separate build directory: -DKOBAN_FUZZ=ON -DKOBAN_TESTS=OFF) and runs each
# target for the given number of seconds (default 600). Exits non-zero if any target finds a
# crash, a sanitizer report, a failed property check, a timeout or an out-of-memory; the
# reproducer is left in build-fuzz/artifacts/<target>/ (re-run: build-fuzz/fuzz/<target> FILE).
#
#   scripts/fuzz.sh          # 10 minutes per target
#   scripts/fuzz.sh 60       # a quick run
#   FUZZ_TARGETS=markdown_fuzz scripts/fuzz.sh 300   # only some of the targets
set -euo pipefail

secs="${1:-600}"
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
  echo "usage: $0 [seconds-per-target]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
targets=(urlencoded_fuzz multipart_fuzz markdown_fuzz article_checks_fuzz)
if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
fi

for tool in clang-14 clang++-14 cmake ninja; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool is not installed" >&2; exit 2; }
done

CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKOBAN_FUZZ=ON -DKOBAN_TESTS=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}" -j"${JOBS:-2}"

failed=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"          # grows while fuzzing; the seeds in fuzz/corpus stay as they are
  artifacts="$build/artifacts/$t"
  log="$build/$t.log"
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384
        -print_final_stats=1 -artifact_prefix="$artifacts/")
  dict="$root/fuzz/${t%_fuzz}.dict"
  [ -f "$dict" ] && args+=(-dict="$dict")
  echo "== $t: ${secs}s (log: $log)"
  if "$build/fuzz/$t" "${args[@]}" "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" | sed 's/^/   /' || true
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    [ -n "$runs" ] && echo "   about $((runs / secs)) inputs/s"
    echo "   no crash; corpus now $(ls "$work" | wc -l) inputs"
  else
    echo "   FAILED: see $log; reproducer(s):" >&2
    ls -1 "$artifacts" | sed "s|^|   $artifacts/|" >&2
    tail -n 30 "$log" >&2
    failed+=("$t")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: crashes found in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all targets ran ${secs}s without a crash"

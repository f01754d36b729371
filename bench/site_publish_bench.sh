#!/usr/bin/env bash
# Issue 5 figure: publishing one article on a site of N live articles (default 10,000) is live
# in < 200 ms. The site is built first (site_bench build); then each round takes one more
# article through the real flow (writer, unit head, 広報課 review) and times
# articles::carry_out_article with the publisher's hooks, from the call to its return, i.e.
# through the commit and the incremental update (the article page, its topic list, section
# and station indexes, home, news.atom, sitemap.xml, the sitemap page), checking that the page
# is on disk. SQLite, Release build.
#   bench/site_publish_bench.sh [articles, default 10000] [rounds, default 20]
# Prints each round and the median, and ends with `ratio: X` (200 ms ÷ median, higher is better).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-10000}
rounds=${2:-20}
bench_need python3
root=$(bench_root)
# KOBAN_BENCH_BUILD overrides the Release build directory (default build/release).
build=${KOBAN_BENCH_BUILD:-$root/build/release}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKOBAN_TESTS=OFF >/dev/null
fi
cmake --build "$build" --target site_bench -j"$(nproc)" >/dev/null
helper="$build/bench/site_bench"
work=$(mktemp -d /tmp/koban-sitepub.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$helper" generate "$work/koban.db" "$n" "" >/dev/null
"$helper" build "$work/koban.db" "$work/public" 2>&1 | tail -1
"$helper" publish "$work/koban.db" "$work/public" "$rounds" | tee "$work/out.txt"
median=$(awk '/^median:/ {print $2}' "$work/out.txt")
echo "ratio: $(python3 -c "print(round(200.0 / $median, 3))")"

#!/usr/bin/env bash
# Configures and builds koban.
#   scripts/build.sh release   build/release: optimised (demo, benchmarks)
#   scripts/build.sh debug     build/debug: AddressSanitizer + UBSan, with tests
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
case "$kind" in
  release) dir=build/release; flags=(-DCMAKE_BUILD_TYPE=Release -DKOBAN_TESTS=OFF) ;;
  debug) dir=build/debug; flags=(-DCMAKE_BUILD_TYPE=Debug -DKOBAN_SANITIZE=ON -DKOBAN_TESTS=ON) ;;
  *) echo "usage: scripts/build.sh [release|debug]" >&2; exit 2 ;;
esac
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
fi
cmake --build "$dir" -j "$(nproc)"

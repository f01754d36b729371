#!/usr/bin/env bash
# Quick start, command 2: installs what is missing, builds the test tree (sanitizers on),
# starts a throwaway PostgreSQL on loopback, runs every test, and cleans up.
#   scripts/test.sh [ctest arguments, e.g. -R Calendar]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/install-deps.sh
scripts/build.sh debug

pgdir="$(mktemp -d /tmp/koban-pg.XXXXXX)"
cleanup() { "$root/scripts/pg-test-server.sh" stop "$pgdir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
eval "$(scripts/pg-test-server.sh start "$pgdir")"
export KOBAN_TEST_PG

cd build/debug
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"

#!/usr/bin/env bash
# Quick start, command 1: installs what is missing, builds, and starts koban with the demo
# force (サンプル県警察) on http://127.0.0.1:8080. Stop it with Ctrl-C.
#   scripts/demo.sh [--listen HOST:PORT] [--data DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/release/src/app/koban serve --demo --data "${KOBAN_DEMO_DATA:-data-demo}" "$@"

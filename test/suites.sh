#!/usr/bin/env bash
# Prints the test files of one suite, one per line (see docs/architecture.md, "Tests"):
#   fast  the folders listed below: in-process only (real broker, SQLite and loopback sockets; no
#         mosquitto/paho/openssl programs, no browser, no built app)
#   slow  every other folder, including any new one, until it is listed here
#   all   every test file, each once
set -euo pipefail
cd "$(dirname "$0")/.."
FAST_DIRS=(broker foundation tenancy)

all() { find test -name '*.test.ts' | sort; }
fast() { for dir in "${FAST_DIRS[@]}"; do find "test/$dir" -name '*.test.ts'; done | sort; }

case "${1:-all}" in
  fast) fast ;;
  slow) comm -23 <(all) <(fast) ;;
  all) all ;;
  *)
    echo "usage: $0 fast|slow|all" >&2
    exit 2
    ;;
esac

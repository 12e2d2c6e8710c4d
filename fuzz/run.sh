#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (default 60 s each).
# Needs `cargo install cargo-fuzz`; runs on stable with `-s none` (no
# sanitizer; coverage-guided libFuzzer still applies).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
for target in $(cargo fuzz list); do
  echo "fuzzing $target for ${secs}s"
  cargo fuzz run "$target" -s none -- -max_total_time="$secs" -rss_limit_mb=2048
done

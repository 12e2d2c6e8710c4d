#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (default 60 s each).
# Needs `cargo install cargo-fuzz`; runs on stable with `-s none` (no
# sanitizer; coverage-guided libFuzzer still applies).
# The SQL targets start from seeds/sql (queries from the unit tests) and a
# dictionary of SQL words; new finds go to corpus/<target>.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
for target in $(cargo fuzz list); do
  echo "fuzzing $target for ${secs}s"
  seeds=()
  flags=()
  case "$target" in
    statement_checks|tenant_rewrite) seeds=("$PWD/seeds/sql"); flags=(-dict="$PWD/sql.dict") ;;
  esac
  mkdir -p "corpus/$target"
  cargo fuzz run "$target" -s none "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 "${flags[@]}"
done

# The tenant differential test (tests/tests/it/tenant_diff.rs) with many
# more generated statements than CI runs, against a real server.
cd ..
echo "tenant differential with ${DIFF_CASES:-20000} cases"
SECURE_PG_DIFF_CASES="${DIFF_CASES:-20000}" cargo test -p secure-pg-tests --test it -- tenant_diff --nocapture

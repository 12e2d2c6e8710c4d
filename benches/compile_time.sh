#!/usr/bin/env bash
# Compile-time cost of `secure_query!`: a generated crate with N query
# functions, built clean and incrementally, against the same crate written
# with plain tokio-postgres calls. Writes benches/COMPILE-TIME.md.
#
#   bash benches/compile_time.sh [N]      (default 500)
#
# sqlx's `query!` is measured as its users build it in CI: offline, from
# query data (`SQLX_OFFLINE=true`, a `.sqlx` directory) that one online
# build against a throwaway PostgreSQL server wrote first. That server
# (PostgreSQL 15 binaries from /usr/lib/postgresql/15/bin, or PG_BIN) is
# stopped before anything is timed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-500}"
work="$(mktemp -d /tmp/secure-pg-compile-time.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/target"

gen() { # name, dependency line, function template, extra manifest
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "gen-$1"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$2

[workspace]
${4:-}
TOML
  {
    echo '#![allow(clippy::all)]'
    for i in $(seq 1 "$n"); do
      printf "$3\n" "$i" "$i"
    done
  } > "$dir/src/lib.rs"
}

ours_fn='pub async fn q%s(pool: &secure_pg::Pool, id: i64) -> Result<Vec<(i64, String)>, secure_pg::Error> {
    secure_pg::secure_query_as!((i64, String), "SELECT id, name FROM widgets_%s WHERE id = $1 AND name <> $2", id, "x")
        .fetch_all(pool)
        .await
}'
gen ours "secure-pg = { path = \"$root/secure-pg\" }" "$ours_fn"
gen ours_opt "secure-pg = { path = \"$root/secure-pg\" }" "$ours_fn" \
'[profile.dev.build-override]
opt-level = 3'
# The same crate with a schema: 100 migrations in the sqlx layout that
# create every table the queries read (five per migration), and alter some
# of them along the way, so every query is also type-checked.
gen ours_schema "secure-pg = { path = \"$root/secure-pg\" }" "$ours_fn"
gen ours_schema_opt "secure-pg = { path = \"$root/secure-pg\" }" "$ours_fn" \
'[profile.dev.build-override]
opt-level = 3'
mkdir -p "$work/ours_schema/migrations"
for m in $(seq 1 100); do
  f="$work/ours_schema/migrations/$(printf '%04d' "$m")_step_$m.sql"
  : > "$f"
  for k in $(seq $(( (m - 1) * n / 100 + 1 )) $(( m * n / 100 ))); do
    echo "CREATE TABLE widgets_$k (id bigint PRIMARY KEY, name text NOT NULL, extra integer);" >> "$f"
  done
  if (( m > 1 )); then
    k=$(( (m - 2) * n / 100 + 1 ))
    echo "ALTER TABLE widgets_$k ADD COLUMN note text;" >> "$f"
    echo "ALTER TABLE widgets_$k RENAME COLUMN extra TO extra_$m;" >> "$f"
    echo "CREATE INDEX widgets_${k}_name ON widgets_$k (name);" >> "$f"
  fi
done
cp -r "$work/ours_schema/migrations" "$work/ours_schema_opt/"
gen plain "tokio-postgres = { version = \"0.7\", default-features = false }" \
'pub async fn q%s(client: &tokio_postgres::Client, id: i64) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
    client.query("SELECT id, name FROM widgets_%s WHERE id = $1 AND name <> $2", &[&id, &"x"]).await
}'

# The same functions with sqlx's `query!`, checked against the same schema.
gen sqlx 'sqlx = { version = "0.9", default-features = false, features = ["runtime-tokio", "postgres", "macros"] }' \
'pub async fn q%s(pool: &sqlx::PgPool, id: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query!("SELECT id, name FROM widgets_%s WHERE id = $1 AND name <> $2", id, "x")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}'
# Offline query data for it: the schema's migrations applied to a throwaway
# server, then one online build that writes `.sqlx`.
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [[ ! -x "$pg_bin/initdb" ]]; then
  echo "PostgreSQL server binaries not found in $pg_bin: install postgresql-15 (Debian) or set PG_BIN" >&2
  exit 1
fi
as_pg=()
if [[ $(id -u) == 0 ]]; then
  as_pg=(setpriv --reuid=postgres --regid=postgres --init-groups)
fi
pgdata="$work/pgdata"
mkdir -p "$pgdata" && chmod 700 "$pgdata"
[[ ${#as_pg[@]} -gt 0 ]] && chown postgres: "$pgdata" "$work"
pg_port=$(( 20000 + RANDOM % 20000 ))
"${as_pg[@]}" "$pg_bin/initdb" -D "$pgdata" -U postgres --auth=trust >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pgdata" -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1 -c fsync=off" -w -l "$work/pg.log" start >/dev/null
stop_pg() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; }
trap 'stop_pg; rm -rf "$work"' EXIT
cat "$work"/ours_schema/migrations/*.sql | psql -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null
mkdir -p "$work/sqlx/.sqlx"
(cd "$work/sqlx" && DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres" \
  SQLX_OFFLINE_DIR="$work/sqlx/.sqlx" cargo build -q)
stop_pg
export SQLX_OFFLINE=true
if [[ $(ls "$work/sqlx/.sqlx" | wc -l) -ne $n ]]; then
  echo "sqlx wrote $(ls "$work/sqlx/.sqlx" | wc -l) query files, not $n" >&2
  exit 1
fi

seconds() { # run a command, print its wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  printf '%.2f\n' "$(echo "$end - $start" | bc)"
}

declare -A clean incr
for name in plain ours ours_opt ours_schema ours_schema_opt sqlx; do
  dir="$work/$name"
  # Dependencies first, so the numbers are the generated crate alone.
  (cd "$dir" && cargo build -q)
  runs_clean=(); runs_incr=()
  for _ in 1 2 3; do
    (cd "$dir" && cargo clean -q -p "gen-$name")
    runs_clean+=("$(cd "$dir" && seconds cargo build -q)")
    touch "$dir/src/lib.rs"
    runs_incr+=("$(cd "$dir" && seconds cargo build -q)")
  done
  clean[$name]=$(printf '%s\n' "${runs_clean[@]}" | sort -n | sed -n 2p)
  incr[$name]=$(printf '%s\n' "${runs_incr[@]}" | sort -n | sed -n 2p)
done

per_call() { printf '%.2f' "$(echo "scale=4; ($1 - $2) * 1000 / $n" | bc)"; }
# Extra time of one build over that of another, both over plain (the
# third argument; the clean plain build by default).
ratio() { printf '%.2f×' "$(echo "scale=4; ($1 - ${3:-${clean[plain]}}) / ($2 - ${3:-${clean[plain]}})" | bc)"; }
catalog=$(cd "$root" && CARGO_TARGET_DIR="$root/target" cargo run -q --release -p secure-pg-benches -- --catalog-cost "$work/ours_schema")
out="$root/benches/COMPILE-TIME.md"
{
  echo "# Compile time of \`secure_query!\`"
  echo
  echo "Generated by \`bash benches/compile_time.sh $n\` on $(date -u '+%Y-%m-%d %H:%M UTC'). A crate with $n async"
  echo "functions, each one query with two parameters, built in the dev profile"
  echo "(dependencies prebuilt; median of 3; wall time on this 2-core machine). The plain crate is the same functions"
  echo "with \`client.query(sql, &[..])\`. \`sqlparser\` is built at opt-level 3 in dev"
  echo "(workspace profile); its \`visitor\` feature is not used (the macros walk the"
  echo "tree themselves), so it costs nothing."
  echo
  echo "| build | plain tokio-postgres | with the macro | extra per call |"
  echo "|---|---:|---:|---:|"
  echo "| clean (crate only) | ${clean[plain]} s | ${clean[ours]} s | $(per_call "${clean[ours]}" "${clean[plain]}") ms |"
  echo "| incremental (touch) | ${incr[plain]} s | ${incr[ours]} s | $(per_call "${incr[ours]}" "${incr[plain]}") ms |"
  echo "| clean, with \`[profile.dev.build-override] opt-level = 3\` | ${clean[plain]} s | ${clean[ours_opt]} s | $(per_call "${clean[ours_opt]}" "${clean[plain]}") ms |"
  echo "| incremental, with that override | ${incr[plain]} s | ${incr[ours_opt]} s | $(per_call "${incr[ours_opt]}" "${incr[plain]}") ms |"
  echo "| clean, with a 100-migration schema (every query type-checked) | ${clean[plain]} s | ${clean[ours_schema]} s | $(per_call "${clean[ours_schema]}" "${clean[plain]}") ms |"
  echo "| incremental, with that schema | ${incr[plain]} s | ${incr[ours_schema]} s | $(per_call "${incr[ours_schema]}" "${incr[plain]}") ms |"
  echo "| clean, with that schema and the override | ${clean[plain]} s | ${clean[ours_schema_opt]} s | $(per_call "${clean[ours_schema_opt]}" "${clean[plain]}") ms |"
  echo "| incremental, with that schema and the override | ${incr[plain]} s | ${incr[ours_schema_opt]} s | $(per_call "${incr[ours_schema_opt]}" "${incr[plain]}") ms |"
  echo "| clean, sqlx \`query!\` offline (\`SQLX_OFFLINE=true\`, \`.sqlx\` data for the same schema) | ${clean[plain]} s | ${clean[sqlx]} s | $(per_call "${clean[sqlx]}" "${clean[plain]}") ms |"
  echo "| incremental, sqlx \`query!\` offline | ${incr[plain]} s | ${incr[sqlx]} s | $(per_call "${incr[sqlx]}" "${incr[plain]}") ms |"
  echo
  echo "Against sqlx, per call (extra over plain, schema-checked \`secure_query_as!\` ÷ offline \`sqlx::query!\`):"
  echo "clean $(ratio "${clean[ours_schema]}" "${clean[sqlx]}"), incremental $(ratio "${incr[ours_schema]}" "${incr[sqlx]}" "${incr[plain]}");"
  echo "with the build override for secure-pg: clean $(ratio "${clean[ours_schema_opt]}" "${clean[sqlx]}"), incremental $(ratio "${incr[ours_schema_opt]}" "${incr[sqlx]}" "${incr[plain]}")."
  echo "Both check every query's names and types against the schema; sqlx reads what a live server"
  echo "said when the data was prepared, secure-pg its own catalog of the migrations."
  echo
  echo "The schema checks themselves, incrementally: $(per_call "${incr[ours_schema]}" "${incr[ours]}") ms per call,"
  echo "$(per_call "${incr[ours_schema_opt]}" "${incr[ours_opt]}") ms with the override (the schema crate against the same crate"
  echo "without a schema; target: at most 1 ms)."
  echo "Building the catalog once from those 100 migrations (the first query macro of a"
  echo "compiler process does it; \`secure-pg-benches --catalog-cost\`, release build of the"
  echo "analysis crate): $catalog (target: at most 50 ms). The proc macro itself runs"
  echo "unoptimised in dev unless the override above is set."
  echo
  echo "Target: at most 10 ms per call incrementally. A user crate builds proc"
  echo "macros and their dependencies (sqlparser, syn) unoptimised in dev unless it"
  echo "sets \`[profile.dev.build-override] opt-level = 3\`, which the guide recommends (schema checks chapter)."
} > "$out"
cat "$out"

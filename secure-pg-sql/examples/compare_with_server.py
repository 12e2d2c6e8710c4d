#!/usr/bin/env python3
"""Holds the schema loader against a server on real migration histories.

Applies each migrations directory to a fresh database of a throwaway server
(in the order the loader applies them, each migration in a transaction
unless it builds an index concurrently) and compares every table, view and
materialized view the server has with the loader's catalog: for tables,
every column's name, type (format_type) and NOT NULL; for views, existence
and column names. Each relation is exact, unknown (the loader says so, with
the statement), wrong, or missing; relations the loader knows that the
server does not have are reported too.

    cargo build --release -p secure-pg-sql --example schema_report
    PGHOST=/tmp/sock PGPORT=5432 PGUSER=postgres \
        python3 secure-pg-sql/examples/compare_with_server.py <migrations dir>...

The server must allow creating databases; pg_trgm and btree_gist are
created in each database first (some histories expect them installed).
"""
import json, os, re, subprocess, sys

PSQL = ["psql", "-X", "-q"]
REPORT = [os.environ.get("SCHEMA_REPORT", "target/release/examples/schema_report")]

def psql(db, *args, check=True):
    return subprocess.run(PSQL + ["-d", db, "-v", "ON_ERROR_STOP=1", *args],
                          capture_output=True, text=True, check=check)

SERVER_COLS = """
select n.nspname || '.' || c.relname, c.relkind, a.attname,
       format_type(a.atttypid, a.atttypmod), a.attnotnull
from pg_class c join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r','v','m','p')
  and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'
  and n.nspname not like 'pg_temp%'
order by 1, a.attnum
"""

def run(dir):
    name = dir.rstrip("/").split("/")[-1]
    db = "c_" + name
    subprocess.run(PSQL + ["-d", "postgres", "-c", f'drop database if exists "{db}"'], check=True)
    subprocess.run(PSQL + ["-d", "postgres", "-c", f'create database "{db}"'], check=True)
    # Extensions some histories expect to be installed already.
    for ext in ("pg_trgm", "btree_gist"):
        psql(db, "-c", f'create extension if not exists "{ext}"')
    files = subprocess.run(REPORT + ["--files", dir], capture_output=True, text=True, check=True).stdout.splitlines()
    applied = 0
    for f in files:
        # Each migration in a transaction, as sqlx and diesel run them,
        # unless it builds an index concurrently.
        single = [] if re.search(r"index\s+concurrently", open(f).read(), re.I) else ["-1"]
        r = psql(db, *single, "-f", f, check=False)
        if r.returncode != 0:
            print(f"{name}: the server refused {f}: {r.stderr.strip()[:300]}")
            return
        applied += 1
    out = psql(db, "-At", "-F", "\t", "-c", SERVER_COLS).stdout
    server = {}
    for line in out.splitlines():
        rel, kind, col, ty, nn = line.split("\t")
        server.setdefault(rel, (kind, []))[1].append((col, ty, nn == "t"))
    ours = {}
    rest = None
    for line in subprocess.run(REPORT + ["--catalog", dir], capture_output=True, text=True, check=True).stdout.splitlines():
        o = json.loads(line)
        if o["kind"] == "rest":
            rest = o["why"]
            continue
        ours[o["rel"]] = o
    exact, unknown, wrong, missing = [], [], [], []
    for rel, (kind, cols) in sorted(server.items()):
        o = ours.get(rel)
        if o is None and rest is not None:
            unknown.append((rel, "(after a statement naming nothing identifiable) " + rest))
        elif o is None:
            missing.append(rel)
        elif o["kind"] == "unknown":
            unknown.append((rel, o["why"]))
        elif o["kind"] == "table":
            mine = [tuple(c) for c in o["cols"]]
            if mine == cols and kind in "rp":
                exact.append(rel)
            else:
                wrong.append((rel, kind, cols, mine))
        else:
            if kind not in "vm":
                wrong.append((rel, kind, cols, o))
            elif o["columns_known"] and [c[0] for c in o["cols"]] != [c[0] for c in cols]:
                wrong.append((rel, kind, cols, o))
            else:
                exact.append(rel)
    extra = [r for r, o in ours.items() if o["kind"] != "unknown" and r not in server]
    total = len(server)
    print(f"{name}: {applied} migrations applied; {total} relations on the server: "
          f"{len(exact)} exact, {len(unknown)} unknown, {len(wrong)} wrong, {len(missing)} missing; "
          f"{len(extra)} known to the loader but not on the server")
    for w in wrong:
        print("  WRONG", w)
    for m in missing:
        print("  MISSING", m)
    for e in extra:
        print("  EXTRA", e)
    for rel, why in unknown:
        print("  unknown", rel, "--", why[:200])

for d in sys.argv[1:]:
    run(d)

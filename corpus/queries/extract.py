#!/usr/bin/env python3
"""Extract the SQL literals of a sqlx codebase into corpus/queries/<project>/queries.sql.

Usage: extract.py <git-dir> <project> <path-prefix>... [--exclude <substring>]...

Reads the newest commit of a bare git mirror (`git --git-dir=<git-dir> show HEAD:...`)
and finds, in every `.rs` file under the given prefixes:

- `query!`, `query_as!` (after the type), `query_scalar!` with a string literal;
- `query(...)`, `query_as(...)`, `query_as::<..>(...)`, `query_scalar(...)` (sqlx's
  functions) whose argument is a string literal, `include_str!("...")`, or the name of
  a `const NAME: &str` initialised with one of those in the same file.

Arguments built at run time (`&format!(...)`, a variable) are skipped: their text is not
in the source. Each statement is written once (the first place it occurs), preceded by a
`-- from: <path>:<line>` line; the file is data for `tests/tests/it/schema/queries.rs`.
"""

import os
import re
import subprocess
import sys

CALL = re.compile(
    r"\b(?:sqlx\s*::\s*)?(query|query_as|query_scalar)\s*(!)?\s*(?:::\s*<[^()]*?>\s*)?\(",
)


def git(gitdir, *args):
    return subprocess.run(
        ["git", "--git-dir", gitdir, *args], check=True, capture_output=True
    ).stdout.decode("utf-8", "replace")


def skip_ws(src, i):
    while i < len(src):
        if src[i].isspace():
            i += 1
        elif src.startswith("//", i):
            i = src.find("\n", i)
            if i < 0:
                return len(src)
        elif src.startswith("/*", i):
            i = src.find("*/", i) + 2
        else:
            break
    return i


def string_literal(src, i):
    """(value, end) of the Rust string literal at `i`, or None."""
    m = re.compile(r'r(#*)"').match(src, i)
    if m:
        hashes = m.group(1)
        end = src.find('"' + hashes, m.end())
        return src[m.end() : end], end + 1 + len(hashes)
    if i < len(src) and src[i] == '"':
        out, j = [], i + 1
        while j < len(src):
            c = src[j]
            if c == '"':
                return "".join(out), j + 1
            if c == "\\":
                n = src[j + 1]
                if n == "\n":
                    j += 2
                    while j < len(src) and src[j] in " \t\r\n":
                        j += 1
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'"}.get(n, "\\" + n))
                j += 2
                continue
            out.append(c)
            j += 1
    return None


def include_str(src, i, gitdir, path):
    m = re.compile(r'include_str!\s*\(\s*"([^"]+)"\s*\)').match(src, i)
    if not m:
        return None
    target = os.path.normpath(os.path.join(os.path.dirname(path), m.group(1)))
    try:
        return git(gitdir, "show", f"HEAD:{target}"), m.end()
    except subprocess.CalledProcessError:
        return None


def value_at(src, i, gitdir, path, consts):
    """The SQL text of the expression at `i`, if it is known from the source."""
    i = skip_ws(src, i)
    lit = string_literal(src, i) or include_str(src, i, gitdir, path)
    if lit:
        return lit[0]
    m = re.compile(r"&?\s*([A-Z][A-Z0-9_]*)\b\s*[,)]").match(src, i)
    if m and m.group(1) in consts:
        return consts[m.group(1)]
    return None


def consts_of(src, gitdir, path):
    out = {}
    for m in re.finditer(r"const\s+([A-Z][A-Z0-9_]*)\s*:\s*&(?:'static\s+)?str\s*=\s*", src):
        v = value_at(src, m.end(), gitdir, path, {})
        if v is not None:
            out[m.group(1)] = v
    return out


def extract(gitdir, prefixes, excludes):
    files = git(gitdir, "ls-tree", "-r", "--name-only", "HEAD").split("\n")
    found = []
    for path in files:
        if not path.endswith(".rs") or not any(path.startswith(p) for p in prefixes):
            continue
        if any(x in path for x in excludes):
            continue
        src = git(gitdir, "show", f"HEAD:{path}")
        consts = consts_of(src, gitdir, path)
        for m in CALL.finditer(src):
            kind, bang = m.group(1), m.group(2)
            i = m.end()
            if bang and kind == "query_as":
                # The row type comes first.
                i = skip_ws(src, i)
                comma = src.find(",", i)
                if comma < 0:
                    continue
                i = comma + 1
            sql = value_at(src, i, gitdir, path, consts)
            if sql is None or not sql.strip():
                continue
            line = src.count("\n", 0, m.start()) + 1
            found.append((path, line, sql))
    return found


def normalise(sql):
    lines = [l.rstrip() for l in sql.strip().split("\n")]
    # Remove the common indentation of the lines after the first.
    rest = [l for l in lines[1:] if l.strip()]
    indent = min((len(l) - len(l.lstrip()) for l in rest), default=0)
    out = [lines[0].strip()] + [l[indent:] for l in lines[1:]]
    text = "\n".join(out).strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


def main():
    args = sys.argv[1:]
    excludes = []
    while "--exclude" in args:
        k = args.index("--exclude")
        excludes.append(args[k + 1])
        del args[k : k + 2]
    gitdir, project, *prefixes = args
    seen, out = set(), []
    for path, line, sql in extract(gitdir, prefixes, excludes):
        text = normalise(sql)
        if text in seen:
            continue
        seen.add(text)
        out.append(f"-- from: {path}:{line}\n{text};\n")
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), project)
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "queries.sql"), "w") as f:
        f.write("\n".join(out))
    print(f"{project}: {len(out)} statements")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Extract the SQL literals of a sqlx codebase into corpus/queries/<project>/queries.sql.

Usage: extract.py <git-dir> <project> <path-prefix>... [--exclude <substring>]...
                  [--calls <name>[@<n>],...]

Reads the newest commit of a bare git mirror (`git --git-dir=<git-dir> show HEAD:...`)
and finds, in every `.rs` file under the given prefixes:

- `query!`, `query_as!` (after the type), `query_scalar!` with a string literal;
- `query(...)`, `query_as(...)`, `query_as::<..>(...)`, `query_scalar(...)` (sqlx's
  functions) whose argument is a string literal, `include_str!("...")`, or the name of
  a `const NAME: &str` initialised with one of those in the same file.

Arguments built at run time (`&format!(...)`, a variable) are skipped: their text is not
in the source.

With `--calls`, the listed function or method names are read instead of sqlx's (for code
that sends SQL through its own helpers or a driver such as tokio-postgres). The SQL is the
first argument, or the `<n>`th (1-based) with `name@<n>`; it is taken when it is a string
literal, `include_str!("...")`, the name of a `const` or `static NAME: &str` initialised
with one of those in the same file, or the name of a `let` binding in scope at the call
initialised with one of those or with an `if`/`match` whose branches are string literals
(each such branch is taken; literals elsewhere in the initialiser, e.g. the arguments of a
call in a branch, are not). Definitions (`fn <name>(`) are not calls.

Each statement is written once (the first place it occurs), preceded by a
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


def consts_of(src, gitdir, path, keyword="const"):
    out = {}
    for m in re.finditer(rf"(?:{keyword})\s+([A-Z][A-Z0-9_]*)\s*:\s*&(?:'static\s+)?str\s*=\s*", src):
        v = value_at(src, m.end(), gitdir, path, {})
        if v is not None:
            out[m.group(1)] = v
    return out


def mask(src):
    """`src` with comments blanked and every string literal turned into `"` and blanks
    (newlines kept, so offsets and lines are those of `src`)."""
    out = list(src)

    def blank(a, b, keep_quote=False):
        for k in range(a, b):
            if out[k] != "\n" and not (keep_quote and k == a):
                out[k] = " "
        if keep_quote:
            out[a] = '"'

    i = 0
    while i < len(src):
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = len(src) if j < 0 else j
            blank(i, j)
            i = j
        elif src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < len(src) and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif src[i] in "rb\"" and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            start = i + 1 if src.startswith("br", i) or src.startswith('b"', i) else i
            lit = string_literal(src, start)
            if lit is None:
                i += 1
                continue
            blank(i, lit[1], keep_quote=True)
            i = lit[1]
        elif src[i] == "'":
            m = re.compile(r"'(?:\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^\\'])'").match(src, i)
            if m:
                blank(i, m.end())
                i = m.end()
            else:
                i += 1
        elif src[i].isalnum() or src[i] == "_":
            while i < len(src) and (src[i].isalnum() or src[i] == "_"):
                i += 1
        else:
            i += 1
    return "".join(out)


def top_level_end(masked, i, stops):
    """The offset of the first of `stops` at bracket depth 0 from `i` (or the closing bracket)."""
    depth = 0
    while i < len(masked):
        c = masked[i]
        if depth == 0 and c in stops:
            return i
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return i


def let_values(src, masked, name, at, gitdir, path, consts):
    """The SQL texts of the `let <name> = ...;` in scope at `at`, or None."""
    lets = list(re.finditer(rf"\blet\s+(?:mut\s+)?{re.escape(name)}\s*(?::[^=;]*)?=(?!=)", masked[:at]))
    for m in reversed(lets):
        # In scope if no block opened before the call closes between the binding and the call.
        depth, visible = 0, True
        for c in masked[m.end() : at]:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    visible = False
                    break
        if not visible:
            continue
        end = top_level_end(masked, m.end(), ";")
        init = masked[m.end() : end]
        start = skip_ws(src, m.end())
        whole = string_literal(src, start) or include_str(src, start, gitdir, path)
        if whole and not masked[whole[1] : end].strip():
            return [whole[0]]
        if init.strip() in consts:
            return [consts[init.strip()]]
        if not re.match(r"\s*(if|match)\b", init):
            return None
        values = []
        for k in range(m.end(), end):
            if masked[k] != '"':
                continue
            before = masked[m.end() : k].rstrip()
            lit = string_literal(src, k + 1 if src[k] == "b" else k)
            if lit is None:
                continue
            after = masked[lit[1] : end].lstrip()
            if before.endswith(("{", "=>")) and (after == "" or after[0] in "},"):
                values.append(lit[0])
        return values
    return None


def extract_calls(gitdir, path, src, consts, calls):
    """(line, sql) of the calls of `calls` ({name: argument position}) in `src`."""
    masked = mask(src)
    names = "|".join(re.escape(n) for n in sorted(calls, key=len, reverse=True))
    found = []
    for m in re.finditer(rf"\b({names})\s*(?:::\s*<[^()]*?>\s*)?\(", masked):
        if re.search(r"\bfn\s*$", masked[: m.start()]):
            continue
        i = m.end()
        for _ in range(calls[m.group(1)] - 1):
            i = top_level_end(masked, i, ",")
            if i >= len(masked) or masked[i] != ",":
                break
            i += 1
        else:
            i = skip_ws(src, i)
            sql = value_at(src, i, gitdir, path, consts)
            values = [sql] if sql is not None else None
            v = re.compile(r"&?\s*([a-z_][a-z0-9_]*)\s*[,)]").match(masked, i)
            if values is None and v:
                values = let_values(src, masked, v.group(1), m.start(), gitdir, path, consts)
            line = src.count("\n", 0, m.start()) + 1
            for sql in values or []:
                if sql.strip():
                    found.append((path, line, sql))
    return found


def extract(gitdir, prefixes, excludes, calls=None):
    files = git(gitdir, "ls-tree", "-r", "--name-only", "HEAD").split("\n")
    found = []
    for path in files:
        if not path.endswith(".rs") or not any(path.startswith(p) for p in prefixes):
            continue
        if any(x in path for x in excludes):
            continue
        src = git(gitdir, "show", f"HEAD:{path}")
        if calls:
            consts = consts_of(src, gitdir, path, "const|static")
            found.extend(extract_calls(gitdir, path, src, consts, calls))
            continue
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
    calls = {}
    while "--calls" in args:
        k = args.index("--calls")
        for spec in args[k + 1].split(","):
            name, _, n = spec.partition("@")
            calls[name] = int(n or 1)
        del args[k : k + 2]
    gitdir, project, *prefixes = args
    seen, out = set(), []
    for path, line, sql in extract(gitdir, prefixes, excludes, calls):
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

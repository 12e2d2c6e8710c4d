//! Routines, triggers, `DO` blocks and dynamic SQL: which functions of the
//! migrations run DDL (so that a statement calling one is not modelled),
//! which triggers run them, what a `DO` body or an `EXECUTE` may change,
//! and the "create if missing" guard applied as the server applies it.

use super::*;

impl Builder {
    /// `CREATE [OR REPLACE] [CONSTRAINT|EVENT] TRIGGER`: which routine a
    /// trigger runs on which table is remembered, so that a write to the
    /// table is not modelled while that routine runs DDL (an event trigger
    /// running such a routine fires on any DDL: not modelled).
    pub(super) fn create_trigger(&mut self, text: &str) -> R<()> {
        let w = words(text);
        let Some(routine) = w
            .windows(2)
            .position(|p| p[0] == "EXECUTE" && matches!(p[1].as_str(), "FUNCTION" | "PROCEDURE"))
            .and_then(|at| name_at(&w, at + 2)?.0.last().cloned())
        else {
            return fail("a trigger whose routine the loader cannot name");
        };
        if w.get(1).is_some_and(|x| x == "EVENT") {
            if !self.routines.contains_key(&routine) {
                return Ok(());
            }
            return fail(format!(
                "the event trigger runs `{routine}`, a routine of the migrations whose body runs DDL, on any DDL"
            ));
        }
        if w.get(1).is_some_and(|x| x == "CONSTRAINT") {
            self.unnamed_constraints = true;
        }
        let Some(on) = w.iter().position(|x| x == "ON") else {
            return fail("a trigger without `ON table`");
        };
        let at = skip_words(&w, on + 1, &[&["ONLY"]]);
        let Some(table) = name_at(&w, at).and_then(|(n, _)| n.last().cloned()) else {
            return fail("a trigger on a table the loader cannot name");
        };
        self.catalog
            .triggers
            .push((Some(table.clone()), routine.clone()));
        self.fired.push((table, routine));
        Ok(())
    }

    /// Records the triggers that dynamic SQL in a `DO` or routine body may
    /// create: each string of the body holding `EXECUTE FUNCTION|PROCEDURE
    /// name` (only a `CREATE [EVENT] TRIGGER` says that) is a trigger
    /// running `name`, on the table its own `ON t` names, or else on any
    /// table. A routine named at run time leaves the body to
    /// [`body_targets`], which does not pass it as harmless.
    pub(super) fn record_dynamic_triggers(&mut self, body: &str) {
        // Most bodies say nothing of triggers: not lexed again.
        if !body
            .as_bytes()
            .windows(7)
            .any(|w| w.eq_ignore_ascii_case(b"trigger"))
        {
            return;
        }
        for word in words(body) {
            let Some(text) = literal_text(&word) else {
                continue;
            };
            let w = words(&text);
            let Some(at) = w.windows(2).position(|p| {
                p[0] == "EXECUTE" && matches!(p[1].as_str(), "FUNCTION" | "PROCEDURE")
            }) else {
                continue;
            };
            let Some(routine) = name_at(&w, at + 2).and_then(|(n, _)| n.last().cloned()) else {
                continue;
            };
            let table = w
                .windows(2)
                .position(|p| p[0] == "TRIGGER")
                .and_then(|t| w[t..].iter().position(|x| x == "ON").map(|o| t + o + 1))
                .map(|on| skip_words(&w, on, &[&["ONLY"]]))
                .and_then(|on| {
                    let (n, next) = name_at(&w, on)?;
                    // `ON %s`, `ON ' || t || '`: not a name.
                    (next < w.len() && w[next].chars().all(char::is_alphabetic))
                        .then(|| n.last().cloned())?
                });
            if !self
                .catalog
                .triggers
                .contains(&(table.clone(), routine.clone()))
            {
                self.catalog.triggers.push((table, routine));
            }
        }
    }

    /// Keeps a function's or procedure's body and language for the session
    /// analysis; `at` is the index of its name in the words.
    pub(super) fn record_body(&mut self, text: &str, at: usize) {
        let w = words(text);
        let Some(name) = name_at(&w, at).and_then(|(n, _)| n.last().cloned()) else {
            return;
        };
        let language = w
            .windows(2)
            .find(|p| p[0] == "LANGUAGE")
            .map(|p| p[1].trim_matches(['\'', '"']).to_ascii_lowercase())
            .unwrap_or_else(|| "sql".to_owned());
        // `BEGIN ATOMIC ... END`: no quoted body; the statement itself.
        let atomic = w.windows(2).any(|p| p[0] == "BEGIN" && p[1] == "ATOMIC");
        let text = if atomic { None } else { routine_body(text, &w) };
        if let Some(body) = &text {
            self.record_dynamic_triggers(body);
        }
        self.catalog
            .routine_bodies
            .entry(name)
            .or_default()
            .push(RoutineBody { language, text });
    }

    /// The body of `DO $$ BEGIN CREATE ...; EXCEPTION WHEN duplicate_object
    /// THEN null; END $$` (the common "create if missing" guard): the
    /// `CREATE` applied as the server does, an "already exists" failure
    /// swallowed. When what it creates is unknown, or may exist unseen (after
    /// a statement naming nothing identifiable), it is not modelled.
    pub(super) fn apply_guarded(&mut self, inner: &str, line: usize) -> R<()> {
        let w = words(inner);
        let Some(targets) = targets_of(&w) else {
            return fail("`DO` blocks are not applied by the loader");
        };
        for (kind, parts) in &targets {
            let (q, unknown) = match kind {
                ObjKind::UniqueIndexes => (None, true),
                ObjKind::Relation => {
                    let q = self.target_relation(parts);
                    let u = q.as_ref().is_some_and(|q| {
                        self.catalog.unknown_relations.contains_key(q)
                            || (self.catalog.unknown_rest.is_some()
                                && !self.catalog.tables.contains_key(q)
                                && !self.catalog.views.contains_key(q))
                    });
                    (q, u)
                }
                ObjKind::Type => {
                    let q = self.target_type(parts);
                    let u = q.as_ref().is_some_and(|q| {
                        self.catalog.unknown_types.contains_key(q)
                            || (self.catalog.unknown_rest.is_some() && !self.catalog.has_type(q))
                    });
                    (q, u)
                }
            };
            if q.is_none() || unknown {
                return fail(
                    "the `DO` block's guarded `CREATE` names an object the loader does not know the state of",
                );
            }
        }
        let stmt = Stmt {
            text: inner,
            line,
            skip: false,
        };
        match self.apply(&stmt) {
            Err(f) if f.message.contains("already exists") => Ok(()),
            other => other,
        }
    }

    /// Remembers a function or procedure whose body runs DDL (see
    /// [`Routines`]); `at` is the index of its name in the words.
    pub(super) fn record_routine(&mut self, text: &str, at: usize) {
        let w = words(text);
        let Some((name, _)) = name_at(&w, at) else {
            return;
        };
        let Some(name) = name.last().cloned() else {
            return;
        };
        let targets = match routine_body(text, &w) {
            Some(body) => body_targets(&body, text, &self.routines),
            // A body the loader cannot find (`AS 'obj', 'symbol'`, a
            // `BEGIN ATOMIC` body): look at the whole statement.
            None => body_targets(text, text, &self.routines),
        };
        if targets.as_ref().is_some_and(Vec::is_empty) {
            return;
        }
        let merged = match (self.routines.remove(&name), targets) {
            (Some(Some(mut a)), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            (None, t) => t,
            _ => None,
        };
        self.routines.insert(name, merged);
    }
}

/// The functions and procedures of the migrations whose bodies run DDL, by
/// name (overloads merged), with what that DDL names (`None`: dynamic SQL
/// or DDL naming nothing identifiable). A statement that calls one is not
/// modelled: what the body names is left unknown.
pub(super) type Routines = std::collections::BTreeMap<Name, Option<Vec<Target>>>;

/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE name`: the index of the name.
pub(super) fn routine_definition(w: &[String]) -> Option<usize> {
    let at = match w.get(1)?.as_str() {
        "OR" => 3,
        _ => 1,
    };
    (w.first()? == "CREATE" && matches!(w.get(at)?.as_str(), "FUNCTION" | "PROCEDURE"))
        .then_some(at + 1)
}

/// The body of a routine: its dollar-quoted text, or its single-quoted
/// string after `AS`.
pub(super) fn routine_body(text: &str, w: &[String]) -> Option<String> {
    if let Some(b) = do_body(text) {
        return Some(b.to_string());
    }
    let at = w.iter().position(|x| x == "AS")?;
    let s = w.get(at + 1)?.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(s.replace("''", "'"))
}

/// The triggers running a routine of `routines` (one that runs DDL) whose
/// table `w` names (any word).
pub(super) fn fired<'a>(
    w: &'a [String],
    triggers: &'a [(Name, Name)],
    routines: &'a Routines,
) -> impl Iterator<Item = &'a (Name, Name)> + 'a {
    triggers.iter().filter(move |(table, routine)| {
        routines.contains_key(routine) && w.iter().any(|x| word_name(x).as_ref() == Some(table))
    })
}

/// The routines of `routines` that `w` calls (`name (`).
pub(super) fn called<'a>(
    w: &'a [String],
    routines: &'a Routines,
) -> impl Iterator<Item = (&'a Name, &'a Option<Vec<Target>>)> + 'a {
    w.windows(2)
        .filter(|p| p[1] == "(")
        .filter_map(|p| word_name(&p[0]))
        .filter_map(move |n| routines.get_key_value(&n))
}

/// The body of `DO [LANGUAGE l] $tag$ body $tag$`.
pub(super) fn do_body(text: &str) -> Option<&str> {
    let open = text.find('$')?;
    let tag_end = open + 1 + text[open + 1..].find('$')?;
    let tag = &text[open..=tag_end];
    let body_start = tag_end + 1;
    let close = body_start + text[body_start..].find(tag)?;
    Some(&text[body_start..close])
}

/// What a `DO` block may change: nothing when its body has no DDL
/// (`CREATE`, `ALTER`, `DROP`) and no dynamic SQL (`EXECUTE`); else the
/// objects its DDL statements name; `None` when that cannot be told
/// (dynamic SQL, a body that is not dollar-quoted, DDL naming nothing
/// identifiable).
pub(super) fn do_body_targets(text: &str, routines: &Routines) -> Option<Vec<Target>> {
    body_targets(do_body(text)?, text, routines)
}

/// What a `DO` or routine body may change (see [`do_body_targets`]),
/// including what the routines of the migrations it calls change.
/// `statement` is the whole `DO` or `CREATE FUNCTION` statement (its
/// parameters declare values the body may put into dynamic SQL).
pub(super) fn body_targets(
    body: &str,
    statement: &str,
    routines: &Routines,
) -> Option<Vec<Target>> {
    let body = words(body);
    // The session's search path moved (`SET [LOCAL] search_path`,
    // `set_config('search_path', ...)`, `RESET ALL`) changes where later
    // names land; `IMPORT FOREIGN SCHEMA` creates tables it does not name.
    if body.is_empty()
        || body
            .iter()
            .any(|x| x == "SEARCH_PATH" || x.eq_ignore_ascii_case("'search_path'"))
        || body.windows(2).any(|p| {
            matches!(
                (p[0].as_str(), p[1].as_str()),
                ("IMPORT", "FOREIGN") | ("RESET", "ALL")
            )
        })
    {
        return None;
    }
    let safe = safe_values(&[&words(statement), &body]);
    let mut out = Vec::new();
    for (at, _) in body.iter().enumerate().filter(|(_, x)| *x == "EXECUTE") {
        // A trigger's `EXECUTE FUNCTION f()`: its `CREATE` is read below.
        if body
            .get(at + 1)
            .is_some_and(|x| x == "FUNCTION" || x == "PROCEDURE")
        {
            continue;
        }
        match dynamic_execute(&body, at, routines, &safe)? {
            Dynamic::Neutral => {}
            Dynamic::DropsIndexes => out.push((ObjKind::UniqueIndexes, Vec::new())),
        }
    }
    for (k, x) in body.iter().enumerate() {
        if matches!(x.as_str(), "CREATE" | "ALTER" | "DROP") {
            let end = body[k..]
                .iter()
                .position(|x| x == ";")
                .map_or(body.len(), |n| k + n);
            out.extend(targets_of(&body[k..end])?);
        }
    }
    for (_, t) in called(&body, routines) {
        out.extend(t.clone()?);
    }
    Some(out)
}

/// What `EXECUTE` at word `at` runs, from the text its expression builds:
/// string literals, and values that cannot carry SQL of their own (see
/// [`execute_template`]). Every statement of that text must be one that
/// cannot change the shape of the catalog (a data statement without
/// `INTO`, the allow-list, no routine that runs DDL) or `DROP INDEX`. `None`:
/// anything could run, because the text is built from a value that could
/// hold any SQL (`'select 1 from ' || name`, `format('... %s', name)` of a
/// text value: `name` may hold `t; DROP TABLE t`), or it builds DDL.
pub(super) fn dynamic_execute(
    body: &[String],
    at: usize,
    routines: &Routines,
    safe: &SafeValues,
) -> Option<Dynamic> {
    let end = body[at + 1..]
        .iter()
        .position(|x| matches!(x.as_str(), ";" | "INTO" | "USING"))
        .map_or(body.len(), |n| at + 1 + n);
    let sql = execute_template(&body[at + 1..end], safe)?;
    let stmts = split(&sql).ok()?;
    let mut out = Dynamic::Neutral;
    for st in &stmts {
        let w = words(st.text);
        if w.is_empty() {
            continue;
        }
        if called(&w, routines).next().is_some() {
            return None;
        }
        match first_word(&w) {
            Some("SELECT" | "WITH")
                if select_into(&w).is_none()
                    && !w.iter().any(|x| x == "INTO" || x == "SET_CONFIG") => {}
            Some("INSERT" | "UPDATE" | "DELETE" | "MERGE") => {}
            Some("DROP") if w.get(1).is_some_and(|x| x == "INDEX") => {
                out = Dynamic::DropsIndexes;
            }
            // Not `SET`: a `search_path` would move where names land.
            _ if allowed(&w).is_some() => {}
            _ => return None,
        }
    }
    Some(out)
}

/// The names of a `DO` block's or routine's variables and parameters
/// whose every declaration is of a type whose text cannot hold SQL of its
/// own: numbers, booleans, OIDs, and the `reg*` types (a quoted, qualified
/// name). Such a value may be put into dynamic SQL unquoted.
pub(super) type SafeValues = std::collections::BTreeSet<String>;

/// Types whose text form is a number, a boolean or a quoted name.
const SAFE_TYPES: &[&str] = &[
    "INT",
    "INTEGER",
    "INT2",
    "INT4",
    "INT8",
    "SMALLINT",
    "BIGINT",
    "NUMERIC",
    "DECIMAL",
    "REAL",
    "FLOAT",
    "FLOAT4",
    "FLOAT8",
    "DOUBLE",
    "BOOLEAN",
    "BOOL",
    "OID",
    "REGCLASS",
    "REGTYPE",
    "REGPROC",
    "REGPROCEDURE",
    "REGNAMESPACE",
    "REGROLE",
    "REGOPER",
    "REGOPERATOR",
];

/// The [`SafeValues`] of the words of a routine's parameter list and of a
/// body's `DECLARE` sections. A declaration is `name type` after `(`, `,`,
/// `;`, `DECLARE` or a parameter mode; a name counts only when every such
/// declaration of it (in any block, or a column of the same name) is of a
/// safe type and no other kind (`ALIAS FOR`, `%TYPE`, a record, an
/// array) is seen. Undeclared names (loop variables, record fields) are
/// not safe.
pub(super) fn safe_values(texts: &[&[String]]) -> SafeValues {
    let mut safe = SafeValues::new();
    let mut unsafe_ = SafeValues::new();
    for w in texts {
        for k in 1..w.len() {
            let before = w[k - 1].as_str();
            if !matches!(
                before,
                "(" | "," | ";" | "DECLARE" | "IN" | "OUT" | "INOUT" | "VARIADIC"
            ) || word_name(&w[k]).is_none()
                || w[k].starts_with('"')
            {
                continue;
            }
            let Some(ty) = w.get(k + 1) else { continue };
            if word_name(ty).is_none() {
                continue;
            }
            let mut next = k + 2;
            if ty == "DOUBLE" && w.get(next).is_some_and(|x| x == "PRECISION") {
                next += 1;
            }
            let ends = w.get(next).is_none_or(|x| {
                matches!(
                    x.as_str(),
                    "," | ")" | ";" | ":" | "=" | "DEFAULT" | "NOT" | "COLLATE"
                )
            });
            if SAFE_TYPES.contains(&ty.as_str()) && ends {
                safe.insert(w[k].clone());
            } else {
                unsafe_.insert(w[k].clone());
            }
        }
    }
    safe.retain(|n| !unsafe_.contains(n));
    safe
}

/// The text an `EXECUTE` expression builds, with each value put in by a
/// quoting function (`quote_ident`, `quote_literal`, `quote_nullable`,
/// `format`'s `%I` and `%L`) or of a safe type (see [`safe_values`]; also
/// `x::regclass` and the like) replaced by a stand-in name or literal:
/// such a value adds a name or a value, never a statement or a clause.
/// `None` when any part could add SQL of its own: a text variable, a
/// record field, any other expression, `format`'s `%s` of one of those.
pub(super) fn execute_template(expr: &[String], safe: &SafeValues) -> Option<String> {
    let mut out = String::new();
    // An operator is one word, its first character: `||` is `|`.
    for operand in split_top(expr, "|") {
        out.push_str(&operand_text(operand, safe)?);
    }
    Some(out)
}

/// `w` split at `sep` outside parentheses.
fn split_top<'a>(w: &'a [String], sep: &str) -> Vec<&'a [String]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (k, x) in w.iter().enumerate() {
        match x.as_str() {
            "(" | "[" => depth += 1,
            ")" | "]" => depth -= 1,
            _ if depth == 0 && x == sep => {
                parts.push(&w[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&w[start..]);
    parts
}

/// The text one operand of a dynamic SQL expression contributes (see
/// [`execute_template`]).
fn operand_text(w: &[String], safe: &SafeValues) -> Option<String> {
    // A cast to a safe type (`t::regclass`).
    // `::` is one word, `:`.
    if let [head @ .., colon, ty] = w {
        if colon == ":" && SAFE_TYPES.contains(&ty.as_str()) && !head.is_empty() {
            return Some(" x ".to_string());
        }
    }
    match w {
        [lit] if lit.starts_with('\'') || lit.starts_with('$') => literal_text(lit),
        [name] if safe.contains(name) => Some(" 0 ".to_string()),
        [f, open, args @ .., close] if open == "(" && close == ")" => match f.as_str() {
            "QUOTE_IDENT" => Some(" x ".to_string()),
            "QUOTE_LITERAL" | "QUOTE_NULLABLE" => Some(" 'v' ".to_string()),
            "FORMAT" => format_text(args, safe),
            _ => None,
        },
        _ => None,
    }
}

/// The text `format(fmt, args...)` builds (see [`execute_template`]):
/// `%I` and `%L` stand-ins, `%s` of a literal its text, of a safe value a
/// stand-in, of anything else `None`. A width taken from an argument
/// (`%*s`) is not read: `None`.
fn format_text(args: &[String], safe: &SafeValues) -> Option<String> {
    let args = split_top(args, ",");
    let (fmt, values) = args.split_first()?;
    let [fmt] = fmt else { return None };
    let fmt = literal_text(fmt)?;
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut spec = String::new();
        let kind = loop {
            let c = chars.next()?;
            if matches!(c, 's' | 'I' | 'L') {
                break c;
            }
            if c == '*' {
                return None;
            }
            spec.push(c);
        };
        let index = match spec.split_once('$') {
            Some((n, _)) => n.parse::<usize>().ok()?.checked_sub(1)?,
            None => next,
        };
        next = index + 1;
        let value = values.get(index)?;
        out.push_str(&match kind {
            'I' => " x ".to_string(),
            'L' => " 'v' ".to_string(),
            _ => match value {
                [lit] if lit.starts_with('\'') || lit.starts_with('$') => literal_text(lit)?,
                v => {
                    let t = operand_text(v, safe)?;
                    // A literal's text may be SQL; a stand-in is a value.
                    if t.trim() == "x" || t.trim() == "0" || t.trim() == "'v'" {
                        t
                    } else {
                        return None;
                    }
                }
            },
        });
    }
    Some(out)
}

/// The text of a string literal word: `'...'` (with `''` unescaped) or
/// `$tag$...$tag$`.
pub(super) fn literal_text(word: &str) -> Option<String> {
    if let Some(l) = word.strip_prefix('\'').and_then(|l| l.strip_suffix('\'')) {
        return Some(l.replace("''", "'"));
    }
    let tag_len = 2 + word.get(1..)?.find('$')?;
    if !word.starts_with('$') || word.len() < 2 * tag_len {
        return None;
    }
    let tag = &word[..tag_len];
    word.strip_suffix(tag)
        .and_then(|w| w.get(tag_len..))
        .map(str::to_string)
}

/// What dynamic SQL may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dynamic {
    /// Data statements, non-unique index builds, the allow-list: no shape
    /// changes.
    Neutral,
    /// `DROP INDEX ...`: any unique index may go.
    DropsIndexes,
}

/// The `CREATE` statement of a `DO` block of the form `BEGIN CREATE ...;
/// EXCEPTION WHEN duplicate_object|duplicate_table|others THEN null |
/// RAISE NOTICE ...; END`.
pub(super) fn guarded_create(text: &str) -> Option<&str> {
    let body = do_body(text)?;
    let stmts = split(body).ok()?;
    let [create, handler, end] = stmts.as_slice() else {
        return None;
    };
    let inner = create.text.get(5..)?;
    if !create.text[..5].eq_ignore_ascii_case("begin")
        || !inner.starts_with(char::is_whitespace)
        || leading_words(inner, 1).first().map(String::as_str) != Some("CREATE")
    {
        return None;
    }
    let h = words(handler.text);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    let handled = matches!(
        h.as_slice(),
        ["EXCEPTION", "WHEN", "DUPLICATE_OBJECT" | "DUPLICATE_TABLE" | "OTHERS", "THEN", rest @ ..]
            if rest == ["NULL"] || rest.starts_with(&["RAISE", "NOTICE"])
    );
    (handled && words(end.text) == ["END"]).then_some(inner)
}

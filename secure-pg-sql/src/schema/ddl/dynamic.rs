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
        let Some(on) = w.iter().position(|x| x == "ON") else {
            return fail("a trigger without `ON table`");
        };
        let at = skip_words(&w, on + 1, &[&["ONLY"]]);
        let Some(table) = name_at(&w, at).and_then(|(n, _)| n.last().cloned()) else {
            return fail("a trigger on a table the loader cannot name");
        };
        self.fired.push((table, routine));
        Ok(())
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
            Some(body) => body_targets(&body, &self.routines),
            // A body the loader cannot find (`AS 'obj', 'symbol'`, a
            // `BEGIN ATOMIC` body): look at the whole statement.
            None => body_targets(text, &self.routines),
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
    body_targets(do_body(text)?, routines)
}

/// What a `DO` or routine body may change (see [`do_body_targets`]),
/// including what the routines of the migrations it calls change.
pub(super) fn body_targets(body: &str, routines: &Routines) -> Option<Vec<Target>> {
    let body = words(body);
    if body.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for (at, _) in body.iter().enumerate().filter(|(_, x)| *x == "EXECUTE") {
        if static_execute_is_neutral(&body, at, routines) {
            continue;
        }
        match dynamic_execute(&body, at, routines)? {
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

/// Whether the dynamic SQL of `EXECUTE` at word `at` is a string literal
/// (`EXECUTE 'sql'` or `EXECUTE format('sql', ...)`, no concatenation)
/// whose statements cannot change the shape of the catalog (dropping and
/// creating triggers, non-unique indexes, grants: the allow-list) and call
/// no routine that runs DDL. Anything else could run any DDL.
pub(super) fn static_execute_is_neutral(body: &[String], at: usize, routines: &Routines) -> bool {
    let get = |i: usize| body.get(i).map(String::as_str);
    let literal = match (get(at + 1), get(at + 2), get(at + 3), get(at + 4)) {
        (Some("FORMAT"), Some("("), Some(l), Some("," | ")")) => l,
        (Some(l), None | Some(";" | "USING"), _, _) => l,
        _ => return false,
    };
    let Some(sql) = literal_text(literal) else {
        return false;
    };
    let Ok(stmts) = split(&sql) else {
        return false;
    };
    stmts.iter().all(|st| {
        let w = words(st.text);
        allowed(&w).is_some() && called(&w, routines).next().is_none()
    })
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

/// What dynamic SQL built at run time may do, told by the literal it starts
/// with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dynamic {
    /// A data statement or a non-unique index build: no shape changes.
    Neutral,
    /// `DROP INDEX ...`: any unique index may go.
    DropsIndexes,
}

/// What `EXECUTE` at word `at` runs when its SQL is built at run time
/// (`EXECUTE 'create index ... on ' || name`, `EXECUTE format('select ...
/// from %I.t', s)`): the statement its leading literal starts, when that
/// literal holds no `;` (one statement) and starts a data statement
/// without `INTO` (which would create a table), a non-unique index build,
/// `COMMENT`, `GRANT`/`REVOKE`, maintenance, or `DROP INDEX`. The rest of the text only fills in
/// names and values. `None`: anything could run.
pub(super) fn dynamic_execute(body: &[String], at: usize, routines: &Routines) -> Option<Dynamic> {
    let get = |i: usize| body.get(i).map(String::as_str);
    let literal = match (get(at + 1), get(at + 2)) {
        (Some("FORMAT"), Some("(")) => get(at + 3)?,
        (Some(l), _) => l,
        _ => return None,
    };
    let sql = literal_text(literal)?;
    if sql.trim_end().trim_end_matches(';').contains(';') {
        return None;
    }
    let w = words(&sql);
    if called(&w, routines).next().is_some() {
        return None;
    }
    let first = w.first().map(String::as_str);
    match first {
        Some("SELECT" | "WITH") if select_into(&w).is_none() && !w.iter().any(|x| x == "INTO") => {
            Some(Dynamic::Neutral)
        }
        Some("INSERT" | "UPDATE" | "DELETE") => Some(Dynamic::Neutral),
        Some("DROP") if w.get(1).is_some_and(|x| x == "INDEX") => Some(Dynamic::DropsIndexes),
        // Not triggers, routines or rules: what they run would be unknown.
        Some("CREATE") if w.get(1).is_some_and(|x| x == "INDEX") => Some(Dynamic::Neutral),
        Some("COMMENT" | "GRANT" | "REVOKE" | "ANALYZE" | "VACUUM" | "REINDEX" | "CLUSTER") => {
            Some(Dynamic::Neutral)
        }
        _ => None,
    }
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

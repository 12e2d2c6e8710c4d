//! The allow-list: statements that cannot change the shape of the catalog,
//! classified by their words without a parse.

use super::*;

/// Whether a statement cannot change the shape of the catalog (what a
/// `-- secure-pg: skip` marker may skip without leaving anything unknown):
/// the allow-list, data statements, queries and function calls, settings
/// other than `search_path`, `DO` blocks without DDL.
pub(super) fn cannot_change_shape(text: &str, routines: &Routines) -> bool {
    let w = words(text);
    if called(&w, routines).next().is_some()
        || routine_definition(&w).is_some()
        || (!routines.is_empty() && w.iter().any(|x| x == "TRIGGER"))
    {
        return false;
    }
    if allowed(&w).is_some() {
        return true;
    }
    match w.first().map(String::as_str) {
        Some("SELECT" | "WITH") => {
            select_into(&w).is_none() && !w.iter().any(|x| x == "SET_CONFIG")
        }
        Some("INSERT" | "UPDATE" | "DELETE" | "MERGE") => true,
        Some("SET") => !w.iter().any(|x| x == "SEARCH_PATH"),
        Some("DO") => do_body_targets(text, routines).is_some_and(|t| t.is_empty()),
        _ => false,
    }
}

/// What the allow-list lets through without a parse, by leading words.
pub(crate) fn allowed(w: &[String]) -> Option<&'static str> {
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    let mut rest = s.as_slice();
    let first = *rest.first()?;
    rest = &rest[1..];
    match first {
        "COMMENT" if rest.first() == Some(&"ON") => return Some("comment"),
        "SECURITY" if rest.first() == Some(&"LABEL") => return Some("comment"),
        "GRANT" | "REVOKE" => return Some("grant"),
        "REASSIGN" if rest.first() == Some(&"OWNED") => return Some("grant"),
        // Transaction control (not `ROLLBACK`, which undoes what the loader
        // applied), session settings other than `SET search_path`.
        "BEGIN" | "COMMIT" | "END" | "RESET" | "SAVEPOINT" | "RELEASE" | "DISCARD" | "LISTEN"
        | "UNLISTEN" | "NOTIFY" | "LOCK" | "CHECKPOINT" => return Some("session"),
        "START" if rest.first() == Some(&"TRANSACTION") => return Some("session"),
        "ANALYZE" | "VACUUM" | "REINDEX" | "CLUSTER" => return Some("maintenance"),
        // Data statements and routine calls change rows, not shapes (calls
        // of a routine of the migrations that runs DDL, and writes that fire
        // one, are caught before the allow-list: see `Builder::apply`).
        "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "TRUNCATE" | "COPY" | "VALUES" | "CALL"
        | "PREPARE" | "EXECUTE" | "DEALLOCATE" => return Some("data"),
        "REFRESH" if rest.first() == Some(&"MATERIALIZED") => return Some("data"),
        _ => {}
    }
    if first == "ALTER" {
        match rest {
            ["DEFAULT", "PRIVILEGES", ..] => return Some("grant"),
            ["SEQUENCE", ..] => return Some("sequence options"),
            ["TRIGGER", ..] | ["EVENT", "TRIGGER", ..] => return Some("trigger"),
            ["FUNCTION" | "PROCEDURE" | "AGGREGATE" | "ROUTINE", ..] => return Some("function"),
            ["STATISTICS", ..] => return Some("maintenance"),
            ["ROLE" | "USER" | "GROUP" | "DATABASE" | "SYSTEM" | "EXTENSION", ..] => {
                return Some("server")
            }
            ["PUBLICATION" | "SUBSCRIPTION" | "SERVER" | "TABLESPACE" | "LANGUAGE" | "COLLATION"
            | "CONVERSION", ..]
            | ["TEXT", "SEARCH", ..]
            | ["FOREIGN", "DATA", "WRAPPER", ..] => return Some("server"),
            _ => {}
        }
        if storage_only_alter(&s) {
            return Some("storage");
        }
        // `ALTER <kind> <name> OWNER TO <role>`: nothing between the name
        // and `OWNER` that could be another action.
        if let [.., "OWNER", "TO", _] = rest {
            let head = &rest[..rest.len() - 3];
            let actions = ["RENAME", "ADD", "DROP", "SET", "ALTER", "COLUMN", ","];
            if !head.iter().any(|w| actions.contains(w)) {
                return Some("owner");
            }
        }
        return None;
    }
    if first == "CREATE" || first == "DROP" {
        let mut r = rest;
        if let ["OR", "REPLACE", tail @ ..] = r {
            r = tail;
        }
        match r {
            ["TRIGGER", ..] | ["EVENT" | "CONSTRAINT", "TRIGGER", ..] => return Some("trigger"),
            ["FUNCTION" | "PROCEDURE" | "AGGREGATE" | "ROUTINE", ..] => return Some("function"),
            ["INDEX", ..] if first == "CREATE" => {
                // Non-unique: skipped on purpose (unique ones are parsed).
                return Some("index");
            }
            ["STATISTICS", ..] => return Some("maintenance"),
            ["ROLE" | "USER" | "GROUP" | "PUBLICATION" | "SUBSCRIPTION" | "SERVER"
            | "TABLESPACE" | "LANGUAGE" | "COLLATION" | "CONVERSION" | "TRANSFORM", ..]
            | ["TEXT", "SEARCH", ..]
            | ["FOREIGN", "DATA", "WRAPPER", ..]
            | ["ACCESS", "METHOD", ..]
            | ["OPERATOR", "CLASS" | "FAMILY", ..]
            | ["TRUSTED" | "PROCEDURAL", ..] => return Some("server"),
            // A rule changes what a statement does, not a relation's
            // columns, except an `ON SELECT` rule (it makes a view).
            ["RULE", ..] if !w.windows(2).any(|p| p[0] == "ON" && p[1] == "SELECT") => {
                return Some("rule")
            }
            _ => {}
        }
    }
    None
}

/// `ALTER TABLE|VIEW|MATERIALIZED VIEW|FOREIGN TABLE name` followed only by
/// actions that change storage, statistics, triggers or ownership, never
/// columns, keys or names (`SET (fillfactor = 70)`, `ALTER COLUMN c SET
/// STATISTICS 100`, `CLUSTER ON i`, `VALIDATE CONSTRAINT c`...).
pub(super) fn storage_only_alter(s: &[&str]) -> bool {
    let at = match s {
        ["ALTER", "TABLE" | "VIEW", ..] => 2,
        ["ALTER", "MATERIALIZED", "VIEW", ..] | ["ALTER", "FOREIGN", "TABLE", ..] => 3,
        _ => return false,
    };
    let mut i = at;
    for noise in [&["IF", "EXISTS"][..], &["ONLY"]] {
        if s.get(i..i + noise.len()) == Some(noise) {
            i += noise.len();
        }
    }
    // The name: `a` or `a.b`.
    i += 1;
    if s.get(i) == Some(&".") {
        i += 2;
    }
    let Some(rest) = s.get(i..) else { return false };
    // Actions split at top-level commas.
    let mut actions: Vec<&[&str]> = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (k, w) in rest.iter().enumerate() {
        match *w {
            "(" => depth += 1,
            ")" => depth -= 1,
            "," if depth == 0 => {
                actions.push(&rest[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    actions.push(&rest[start..]);
    actions.iter().all(|a| {
        let a = match a {
            ["ALTER", "COLUMN", _, tail @ ..] | ["ALTER", _, tail @ ..] => {
                return matches!(
                    tail,
                    ["SET", "STATISTICS" | "STORAGE" | "COMPRESSION", ..]
                        | ["SET" | "RESET", "(", ..]
                );
            }
            a => a,
        };
        matches!(
            a,
            ["SET" | "RESET", "(", ..]
                | ["CLUSTER", "ON", ..]
                | ["SET", "WITHOUT", "CLUSTER" | "OIDS"]
                | ["SET", "TABLESPACE", ..]
                | ["SET", "ACCESS", "METHOD", ..]
                | ["SET", "LOGGED" | "UNLOGGED"]
                | ["VALIDATE", "CONSTRAINT", ..]
                | ["ENABLE" | "DISABLE", "TRIGGER" | "RULE", ..]
                | ["ENABLE", "ALWAYS" | "REPLICA", "TRIGGER" | "RULE", ..]
                | ["REPLICA", "IDENTITY", ..]
                | ["OWNER", "TO", ..]
        )
    })
}

pub(super) fn data_statement(first: Option<&str>) -> bool {
    matches!(
        first,
        Some(
            "SELECT"
                | "WITH"
                | "CALL"
                | "INSERT"
                | "UPDATE"
                | "DELETE"
                | "MERGE"
                | "COPY"
                | "TRUNCATE"
        )
    )
}

/// Statements that read or write rows (and may call routines or fire
/// triggers).
pub(super) fn first_word(w: &[String]) -> Option<&str> {
    w.first().map(String::as_str)
}

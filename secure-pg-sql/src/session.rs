//! Which statements may leave state on the session.
//!
//! The runtime resets a pooled connection (`DISCARD ALL`) after a statement
//! this module flags, so that the next user of the connection does not see
//! settings, temporary objects or locks left behind.

use crate::lexer::{lex, Tok};

/// Whether running `sql` may leave state in the session that a later user
/// of the same pooled connection would see: settings, temporary objects,
/// prepared statements, cursors, listeners, session-level advisory locks.
/// Conservative: a false positive costs one `DISCARD ALL` on the next
/// checkout; a false negative would leak state.
pub fn changes_session(sql: &str) -> bool {
    let Ok(toks) = lex(sql) else {
        return true;
    };
    let words: Vec<String> = toks
        .iter()
        .filter_map(|t| match t {
            Tok::Other { offset } => {
                let rest = &sql[*offset..];
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (!word.is_empty()).then(|| word.to_ascii_lowercase())
            }
            _ => None,
        })
        .collect();
    const FIRST: &[&str] = &[
        "set",
        "reset",
        "listen",
        "unlisten",
        "prepare",
        "deallocate",
        "declare",
        "load",
        "discard",
        "begin",
        "start",
        "commit",
        "rollback",
        "end",
        "abort",
        "savepoint",
        "release",
        "lock",
        "close",
        "do",
        "call",
    ];
    const ANYWHERE: &[&str] = &[
        "temp",
        "temporary",
        "set_config",
        "pg_advisory_lock",
        "pg_advisory_lock_shared",
        "pg_try_advisory_lock",
        "pg_try_advisory_lock_shared",
        "dblink_connect",
    ];
    words.first().is_some_and(|w| FIRST.contains(&w.as_str()))
        || words.iter().any(|w| ANYWHERE.contains(&w.as_str()))
}

#[cfg(test)]
mod session_tests {
    use super::changes_session;

    #[test]
    fn detects_session_changes() {
        for sql in [
            "SET search_path = x",
            "set local work_mem = '1MB'",
            "RESET ALL",
            "CREATE TEMP TABLE t (a int)",
            "create temporary table t (a int)",
            "SELECT set_config('app.x', $1, false)",
            "SELECT pg_advisory_lock($1)",
            "LISTEN jobs",
            "PREPARE p AS SELECT 1",
            "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
            "BEGIN",
        ] {
            assert!(changes_session(sql), "{sql}");
        }
    }

    #[test]
    fn ordinary_statements_do_not() {
        for sql in [
            "SELECT id, name FROM widgets WHERE id = $1",
            "UPDATE widgets SET name = $1 WHERE id = $2",
            "INSERT INTO settings (k, v) VALUES ('set', 'temp')",
            "SELECT 'SET x = 1' AS s -- set_config",
            "DELETE FROM t WHERE id = ANY($1)",
        ] {
            assert!(!changes_session(sql), "{sql}");
        }
    }
}

//! SQL analysis: pure functions on the SQL text, no token streams.
//!
//! [`analyze`] checks that the text is one statement whose placeholders are
//! `$1..$n` without gaps, and (in [`Mode::Parsed`]) that sqlparser's
//! PostgreSQL dialect accepts it. Errors are returned as complete messages;
//! the caller attaches them to the string literal's span.

use crate::lexer::{lex, starts_operator, LexError, Tok};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// How thoroughly the SQL is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Lexer checks plus a full sqlparser parse. `escape_hatch` is the macro
    /// suggested when the parser rejects SQL that PostgreSQL would accept.
    Parsed { escape_hatch: &'static str },
    /// Lexer checks only (the `*_unparsed!` macros).
    Unparsed,
}

/// What a successful analysis found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SqlInfo {
    /// The highest placeholder number; `$1..=$placeholders` are all used.
    pub(crate) placeholders: u32,
}

/// Checks `sql`; on failure returns every problem found, as messages.
pub(crate) fn analyze(sql: &str, mode: Mode) -> Result<SqlInfo, Vec<String>> {
    let toks = match lex(sql) {
        Ok(toks) => toks,
        Err(LexError { message, offset }) => {
            let (line, column) = line_column(sql, offset);
            return Err(vec![syntax_error(sql, message, line, column, mode)]);
        }
    };
    let mut errors = Vec::new();
    if toks.iter().all(|t| matches!(t, Tok::Semicolon { .. })) {
        errors.push("the SQL is empty; write the statement to run".to_owned());
        return Err(errors);
    }
    check_stacked(sql, &toks, &mut errors);
    let questions = check_questions(sql, &toks, &mut errors);
    let placeholders = check_placeholders(sql, &toks, &mut errors);
    if let Mode::Parsed { .. } = mode {
        // A `?` used as a placeholder is always a syntax error too; the
        // specific message above is enough.
        if !questions {
            check_parse(sql, &toks, mode, &mut errors);
        }
    }
    if errors.is_empty() {
        Ok(SqlInfo { placeholders })
    } else {
        Err(errors)
    }
}

/// Refuses anything but whitespace and comments after a top-level `;`.
fn check_stacked(sql: &str, toks: &[Tok], errors: &mut Vec<String>) {
    let Some(semi) = toks.iter().position(|t| matches!(t, Tok::Semicolon { .. })) else {
        return;
    };
    if let Some(next) = toks.get(semi + 1) {
        let (line, column) = line_column(sql, next.offset());
        errors.push(format!(
            "the SQL contains more than one statement (stacked statements are refused): \
             more SQL follows the `;` at line {line}, column {column}\n{}\
             = help: run each statement with its own query; only a single trailing `;` is allowed",
            snippet(sql, line, column)
        ));
    }
}

/// Refuses `?` where it looks like a placeholder (operand position). A `?`
/// between two operands is PostgreSQL's jsonb "key exists" operator and is
/// left alone. Returns whether an error was reported.
fn check_questions(sql: &str, toks: &[Tok], errors: &mut Vec<String>) -> bool {
    let first_char = |t: &Tok| sql[t.offset()..].chars().next().unwrap_or(' ');
    let mut found = false;
    for (i, tok) in toks.iter().enumerate() {
        if !matches!(tok, Tok::Question { .. }) {
            continue;
        }
        let operand_before = i.checked_sub(1).is_some_and(|p| match &toks[p] {
            Tok::Placeholder { .. } => true,
            prev @ Tok::Other { .. } => {
                !matches!(first_char(prev), '(' | ',' | '[') && !starts_operator(first_char(prev))
            }
            _ => false,
        });
        let operand_after = toks.get(i + 1).is_some_and(|next| {
            !matches!(next, Tok::Semicolon { .. }) && !matches!(first_char(next), ',' | ')' | ']')
        });
        if operand_before && operand_after {
            continue;
        }
        found = true;
        let (line, column) = line_column(sql, tok.offset());
        errors.push(format!(
            "`?` is not a PostgreSQL placeholder (line {line}, column {column})\n{}\
             = help: number the placeholders `$1`, `$2` ... in the order the arguments are given",
            snippet(sql, line, column)
        ));
    }
    found
}

/// Checks `$n` numbering and returns the highest number.
fn check_placeholders(sql: &str, toks: &[Tok], errors: &mut Vec<String>) -> u32 {
    let mut used = Vec::new();
    // Where each placeholder number first appears, to point at it.
    let mut first_at = std::collections::HashMap::new();
    for tok in toks {
        let Tok::Placeholder { index, offset } = *tok else {
            continue;
        };
        match index {
            Some(0) => {
                let (line, column) = line_column(sql, offset);
                errors.push(format!(
                    "`$0` is not a valid placeholder; placeholders start at `$1` \
                     (line {line}, column {column})\n{}",
                    snippet(sql, line, column)
                ))
            }
            Some(n) if n <= u32::from(u16::MAX) => {
                first_at.entry(n).or_insert(offset);
                used.push(n);
            }
            _ => {
                let end = sql[offset + 1..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(sql.len(), |n| offset + 1 + n);
                errors.push(format!(
                    "`{}` is too large; PostgreSQL accepts at most 65535 parameters",
                    &sql[offset..end]
                ));
            }
        }
    }
    used.sort_unstable();
    used.dedup();
    let highest = used.last().copied().unwrap_or(0);
    let missing: Vec<String> = (1..highest)
        .filter(|n| used.binary_search(n).is_err())
        .map(|n| format!("${n}"))
        .collect();
    if !missing.is_empty() {
        let (noun, verb) = if missing.len() == 1 {
            ("", "is")
        } else {
            ("s", "are")
        };
        let (line, column) = line_column(sql, first_at[&highest]);
        errors.push(format!(
            "placeholders must be numbered from $1 without gaps: the SQL uses ${highest} \
             but placeholder{noun} {} {verb} missing; renumber them so each of $1..${} \
             is used (`${highest}` is at line {line}, column {column})\n{}",
            missing.join(", "),
            used.len(),
            snippet(sql, line, column)
        ));
    }
    highest
}

/// Runs sqlparser and cross-checks its placeholders against the lexer's.
fn check_parse(sql: &str, toks: &[Tok], mode: Mode, errors: &mut Vec<String>) {
    let dialect = PostgreSqlDialect {};
    match Parser::parse_sql(&dialect, sql) {
        Ok(statements) if statements.len() > 1 && errors.is_empty() => errors.push(
            "the SQL contains more than one statement (stacked statements are refused); \
             run each statement with its own query"
                .to_owned(),
        ),
        Ok(_) => {}
        Err(e) => {
            let text = e.to_string();
            let text = text.strip_prefix("sql parser error: ").unwrap_or(&text);
            let (message, line, column) = match text.rsplit_once(" at Line: ") {
                Some((message, at)) => {
                    let (line, column) = parse_location(at).unwrap_or((0, 0));
                    (message.to_owned(), line, column)
                }
                None => {
                    let (line, column) = line_column(sql, sql.trim_end().len());
                    (
                        text.replace("found: EOF", "found: end of SQL"),
                        line,
                        column,
                    )
                }
            };
            let mut message = message;
            if message.ends_with("found: ?") {
                message.push_str(" (`?` is not a PostgreSQL placeholder; write `$1`, `$2` ...)");
            }
            errors.push(syntax_error(sql, &message, line, column, mode));
            return;
        }
    }
    // Cross-check: both lexers must agree on where the placeholders are.
    let Ok(theirs) = Tokenizer::new(&dialect, sql).tokenize() else {
        return;
    };
    let mut theirs: Vec<String> = theirs
        .into_iter()
        .filter_map(|t| match t {
            Token::Placeholder(p) => Some(p),
            _ => None,
        })
        .collect();
    let mut ours: Vec<String> = toks
        .iter()
        .filter_map(|t| match *t {
            Tok::Placeholder { offset, .. } => {
                let len = sql[offset + 1..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(sql.len() - offset - 1);
                Some(sql[offset..offset + 1 + len].to_owned())
            }
            _ => None,
        })
        .collect();
    theirs.sort_unstable();
    ours.sort_unstable();
    if theirs != ours {
        let odd: Vec<&String> = theirs.iter().filter(|p| !ours.contains(p)).collect();
        errors.push(format!(
            "the placeholders in this SQL are ambiguous: the parser sees {} but the \
             placeholder check sees {}{}; simplify the quoting around the placeholders \
             so both agree",
            list(&theirs),
            list(&ours),
            if odd.is_empty() {
                String::new()
            } else {
                format!(
                    " (only numbered `$n` placeholders are supported, not {})",
                    {
                        let odd: Vec<String> = odd.into_iter().cloned().collect();
                        list(&odd)
                    }
                )
            }
        ));
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "no placeholders".to_owned()
    } else {
        items.join(", ")
    }
}

/// Parses the `x, Column: y` tail of a sqlparser message.
fn parse_location(at: &str) -> Option<(usize, usize)> {
    let (line, column) = at.split_once(", Column: ")?;
    Some((line.trim().parse().ok()?, column.trim().parse().ok()?))
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(sql: &str, offset: usize) -> (usize, usize) {
    let before = &sql[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// A syntax-error message quoting the failing line with a caret.
fn syntax_error(sql: &str, message: &str, line: usize, column: usize, mode: Mode) -> String {
    let help = match mode {
        Mode::Parsed { escape_hatch } => format!(
            "check the SQL; if PostgreSQL accepts it but this parser does not, use \
             `{escape_hatch}` (still literal-only and placeholder-checked)"
        ),
        Mode::Unparsed => "check the quoting and comments in the SQL".to_owned(),
    };
    if line == 0 {
        return format!("SQL syntax error: {message}\n= help: {help}");
    }
    format!(
        "SQL syntax error: {message} at line {line}, column {column}\n{}= help: {help}",
        snippet(sql, line, column)
    )
}

/// The failing line of `sql` with a gutter and a caret under `column`, each
/// line ending in `\n`.
pub(crate) fn snippet(sql: &str, line: usize, column: usize) -> String {
    let text = sql.lines().nth(line - 1).unwrap_or("");
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    // Keep tabs so the caret lines up with the quoted text.
    let indent: String = text
        .chars()
        .chain(std::iter::repeat(' '))
        .take(column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{pad} |\n{number} | {text}\n{pad} | {indent}^\n")
}

#[cfg(test)]
mod tests;

/// Whether running `sql` may leave state in the session that a later user
/// of the same pooled connection would see: settings, temporary objects,
/// prepared statements, cursors, listeners, session-level advisory locks.
/// Conservative: a false positive costs one `DISCARD ALL` on the next
/// checkout; a false negative would leak state.
pub(crate) fn changes_session(sql: &str) -> bool {
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

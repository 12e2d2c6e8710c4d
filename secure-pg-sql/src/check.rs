//! The statement checks: pure functions on the SQL text.
//!
//! [`analyze`] checks that the text is one statement whose placeholders are
//! `$1..$n` without gaps, and (in [`Mode::Parsed`]) that sqlparser's
//! PostgreSQL dialect accepts it. Every problem found is returned as a
//! [`Diagnostic`]; the caller decides how to show it.

use crate::diagnostic::{Diagnostic, Position};
use crate::lexer::{lex, starts_operator, LexError, Tok};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer};

/// How thoroughly the SQL is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Lexer checks plus a full sqlparser parse. `escape_hatch` is the macro
    /// suggested when the parser rejects SQL that PostgreSQL would accept.
    Parsed {
        /// The way out named in syntax errors, e.g. `secure_query_unparsed!`.
        escape_hatch: &'static str,
    },
    /// Lexer checks only (the `*_unparsed!` macros).
    Unparsed,
}

/// What a successful analysis found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqlInfo {
    /// The highest placeholder number; `$1..=$placeholders` are all used.
    pub placeholders: u32,
}

/// Checks `sql`; on failure returns every problem found.
pub fn analyze(sql: &str, mode: Mode) -> Result<SqlInfo, Vec<Diagnostic>> {
    let toks = match lex(sql) {
        Ok(toks) => toks,
        Err(LexError { message, offset }) => {
            return Err(vec![syntax_error(
                message,
                Some(Position::of_offset(sql, offset)),
                mode,
            )]);
        }
    };
    let mut errors = Vec::new();
    if toks.iter().all(|t| matches!(t, Tok::Semicolon { .. })) {
        errors.push(Diagnostic::new("the SQL is empty").help("write the statement to run"));
        return Err(errors);
    }
    check_stacked(sql, &toks, &mut errors);
    check_copy(sql, &toks, &mut errors);
    check_session_reads(sql, &toks, &mut errors);
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
fn check_stacked(sql: &str, toks: &[Tok], errors: &mut Vec<Diagnostic>) {
    let Some(semi) = toks.iter().position(|t| matches!(t, Tok::Semicolon { .. })) else {
        return;
    };
    if let Some(next) = toks.get(semi + 1) {
        errors.push(
            Diagnostic::new(
                "the SQL contains more than one statement (stacked statements are refused): \
                 more SQL follows the `;`",
            )
            .at_offset(sql, next.offset())
            .help("run each statement with its own query; only a single trailing `;` is allowed"),
        );
    }
}

/// The word a token starts with, folded to lower case (`None` for
/// anything but an unquoted word).
fn word_at(sql: &str, tok: &Tok) -> Option<String> {
    let rest = &sql[tok.offset()..];
    let first = rest.chars().next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    Some(
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect::<String>()
            .to_lowercase(),
    )
}

/// Refuses `COPY ... FROM STDIN` and `COPY ... TO STDOUT`: they switch the
/// connection into the COPY sub-protocol, which a query does not speak, so
/// the server would wait for COPY data while the client sends its next
/// statement, and the session would be lost (on a shared connection, with
/// other callers' statements on it).
fn check_copy(sql: &str, toks: &[Tok], errors: &mut Vec<Diagnostic>) {
    let words: Vec<(Option<String>, usize)> =
        toks.iter().map(|t| (word_at(sql, t), t.offset())).collect();
    if words.first().and_then(|(w, _)| w.as_deref()) != Some("copy") {
        return;
    }
    for pair in words.windows(2) {
        let (from_to, (target, offset)) = (&pair[0].0, &pair[1]);
        let (direction, word) = match (from_to.as_deref(), target.as_deref()) {
            (Some("from"), Some("stdin")) => ("FROM STDIN", "STDIN"),
            (Some("to"), Some("stdout")) => ("TO STDOUT", "STDOUT"),
            _ => continue,
        };
        errors.push(
            Diagnostic::new(format!(
                "`COPY ... {direction}` switches the connection into the COPY sub-protocol, \
                 which the query macros do not speak: `{word}`"
            ))
            .at_offset(sql, *offset)
            .help(
                "write it with `secure_copy_in!(\"table (columns)\", rows, |row| (..))` \
                 (FROM STDIN) or `secure_copy_out!((types), \"table (columns)\")` (TO STDOUT), \
                 which check the table and columns and run the copy on a connection of their own",
            ),
        );
    }
}

/// Refuses `lastval()` and `currval()`: they read what the session's
/// last `nextval` left, which on a pooled connection may be another
/// caller's (a `serial` default runs `nextval` without being named).
fn check_session_reads(sql: &str, toks: &[Tok], errors: &mut Vec<Diagnostic>) {
    for (i, tok) in toks.iter().enumerate() {
        let Some(word) = word_at(sql, tok) else {
            continue;
        };
        if word != "lastval" && word != "currval" {
            continue;
        }
        let call = toks
            .get(i + 1)
            .is_some_and(|next| sql[next.offset()..].starts_with('('));
        if !call {
            continue;
        }
        errors.push(
            Diagnostic::new(format!(
                "`{word}()` reads the session's sequence state, which on a pooled connection \
                 may be another caller's: the call"
            ))
            .at_offset(sql, tok.offset())
            .help(
                "read the generated value from the statement that made it: \
                 `INSERT ... RETURNING id`",
            ),
        );
    }
}

/// Refuses `?` where it looks like a placeholder (operand position). A `?`
/// between two operands is PostgreSQL's jsonb "key exists" operator and is
/// left alone. Returns whether an error was reported.
fn check_questions(sql: &str, toks: &[Tok], errors: &mut Vec<Diagnostic>) -> bool {
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
        errors.push(
            Diagnostic::new("`?` is not a PostgreSQL placeholder")
                .at_offset(sql, tok.offset())
                .help(
                    "number the placeholders `$1`, `$2` ... in the order the arguments are given",
                ),
        );
    }
    found
}

/// Checks `$n` numbering and returns the highest number.
fn check_placeholders(sql: &str, toks: &[Tok], errors: &mut Vec<Diagnostic>) -> u32 {
    let mut used = Vec::new();
    // Where each placeholder number first appears, to point at it.
    let mut first_at = std::collections::HashMap::new();
    for tok in toks {
        let Tok::Placeholder { index, offset } = *tok else {
            continue;
        };
        match index {
            Some(0) => errors.push(
                Diagnostic::new("`$0` is not a valid placeholder")
                    .at_offset(sql, offset)
                    .help("placeholders start at `$1`"),
            ),
            Some(n) if n <= u32::from(u16::MAX) => {
                first_at.entry(n).or_insert(offset);
                used.push(n);
            }
            _ => {
                let end = sql[offset + 1..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(sql.len(), |n| offset + 1 + n);
                errors.push(
                    Diagnostic::new(format!("`{}` is too large", &sql[offset..end]))
                        .at_offset(sql, offset)
                        .help("PostgreSQL accepts at most 65535 parameters"),
                );
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
        errors.push(
            Diagnostic::new(format!(
                "placeholders must be numbered from $1 without gaps: placeholder{noun} {} \
                 {verb} missing, but the SQL uses ${highest}",
                missing.join(", "),
            ))
            .at_offset(sql, first_at[&highest])
            .help(format!(
                "renumber the placeholders so that each of $1..${} is used",
                used.len()
            )),
        );
    }
    highest
}

/// Runs sqlparser and cross-checks its placeholders against the lexer's.
fn check_parse(sql: &str, toks: &[Tok], mode: Mode, errors: &mut Vec<Diagnostic>) {
    let dialect = PostgreSqlDialect {};
    // Tokenize separately: a tokenizer error then keeps its typed location.
    let tokens = match Tokenizer::new(&dialect, sql).tokenize_with_location() {
        Ok(tokens) => tokens,
        Err(e) => {
            let at = (e.location.line > 0).then_some(Position {
                line: e.location.line as usize,
                column: e.location.column as usize,
            });
            errors.push(syntax_error(&e.message, at, mode));
            return;
        }
    };
    let theirs: Vec<String> = tokens
        .iter()
        .filter_map(|t| match &t.token {
            Token::Placeholder(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    match Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
    {
        Ok(statements) if statements.len() > 1 && errors.is_empty() => errors.push(
            Diagnostic::new(
                "the SQL contains more than one statement (stacked statements are refused)",
            )
            .help("run each statement with its own query"),
        ),
        Ok(_) => {}
        Err(ParserError::RecursionLimitExceeded) => {
            errors.push(
                Diagnostic::new("the SQL is nested too deeply to be checked")
                    .help("simplify the statement (fewer nested parentheses or subqueries)"),
            );
            return;
        }
        Err(ParserError::ParserError(text) | ParserError::TokenizerError(text)) => {
            // sqlparser's parse errors carry no typed location: it is
            // appended to the message as ` at Line: l, Column: c`.
            let (message, at) = match text.rsplit_once(" at Line: ") {
                Some((message, at)) => (message.to_owned(), parse_location(at)),
                None => (
                    text.replace("found: EOF", "found: end of SQL"),
                    Some(Position::of_offset(sql, sql.trim_end().len())),
                ),
            };
            let mut message = message;
            if message.ends_with("found: ?") {
                message.push_str(" (`?` is not a PostgreSQL placeholder; write `$1`, `$2` ...)");
            }
            errors.push(syntax_error(&message, at, mode));
            return;
        }
    }
    // Cross-check: both lexers must agree on where the placeholders are.
    let mut theirs = theirs;
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
        let odd: Vec<String> = theirs
            .iter()
            .filter(|p| !ours.contains(p))
            .cloned()
            .collect();
        let only = if odd.is_empty() {
            String::new()
        } else {
            format!(
                " (only numbered `$n` placeholders are supported, not {})",
                list(&odd)
            )
        };
        errors.push(
            Diagnostic::new(format!(
                "the placeholders in this SQL are ambiguous: the parser sees {} but the \
                 placeholder check sees {}{only}",
                list(&theirs),
                list(&ours),
            ))
            .help("simplify the quoting around the placeholders so both agree"),
        );
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
fn parse_location(at: &str) -> Option<Position> {
    let (line, column) = at.split_once(", Column: ")?;
    Some(Position {
        line: line.trim().parse().ok()?,
        column: column.trim().parse().ok()?,
    })
    .filter(|p| p.line > 0)
}

/// A syntax error, with the way out that fits the mode.
fn syntax_error(message: &str, at: Option<Position>, mode: Mode) -> Diagnostic {
    let help = match mode {
        Mode::Parsed { escape_hatch } => format!(
            "check the SQL; if PostgreSQL accepts it but this parser does not, use \
             `{escape_hatch}` (still literal-only and placeholder-checked)"
        ),
        Mode::Unparsed => "check the quoting and comments in the SQL".to_owned(),
    };
    let diagnostic = Diagnostic::new(format!("SQL syntax error: {message}")).help(help);
    match at {
        Some(at) => diagnostic.at(at),
        None => diagnostic,
    }
}

#[cfg(test)]
mod tests;

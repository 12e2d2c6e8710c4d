//! Splitting a DDL file into statements, each with its line.
//!
//! The crate's [`lexer`](crate::lexer) finds the top-level `;` (outside
//! strings, quoted identifiers, dollar quotes and comments). On top of that
//! this module recognises psql meta-commands (a `\` outside strings runs to
//! the end of its line: `\connect`, pg_dump's `\restrict`), and the
//! `-- secure-pg: skip` marker, which applies to the next statement when it
//! stands on a line of its own between the previous statement and this one.

use crate::lexer::{lex, Tok};

/// The marker that makes the loader ignore the next statement.
pub const SKIP_MARKER: &str = "secure-pg: skip";

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stmt<'a> {
    /// The text, without the terminating `;`.
    pub(crate) text: &'a str,
    /// 1-based line of the statement's first token.
    pub(crate) line: usize,
    /// Preceded by `-- secure-pg: skip`.
    pub(crate) skip: bool,
}

/// Line starts of a text, to turn offsets into line numbers quickly.
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }

    /// The 1-based line of byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset)
    }
}

/// The statements of `sql`, or the line and message of a lexical error.
pub(crate) fn split<'a>(sql: &'a str) -> Result<Vec<Stmt<'a>>, (usize, String)> {
    let lines = Lines::new(sql);
    let toks = lex(sql).map_err(|e| (lines.line(e.offset), e.message.to_string()))?;
    let mut out = Vec::new();
    // Where the text between statements (comments, blank lines) starts.
    let mut gap_start = 0;
    let mut open: Option<usize> = None;
    let mut meta_end = 0;
    let finish = |out: &mut Vec<Stmt<'a>>, start: usize, end: usize, gap_start: usize| {
        let text = sql[start..end].trim_end();
        out.push(Stmt {
            text,
            line: lines.line(start),
            skip: has_skip_marker(&sql[gap_start..start]),
        });
    };
    for tok in &toks {
        let at = tok.offset();
        if at < meta_end {
            continue;
        }
        match tok {
            Tok::Semicolon { offset } => {
                if let Some(start) = open.take() {
                    finish(&mut out, start, *offset, gap_start);
                }
                gap_start = offset + 1;
            }
            _ if sql[at..].starts_with('\\') => {
                if open.is_some() {
                    return Err((
                        lines.line(at),
                        "psql meta-command inside a statement (end the statement with `;` first)"
                            .to_string(),
                    ));
                }
                meta_end = sql[at..].find('\n').map_or(sql.len(), |n| at + n + 1);
                gap_start = meta_end;
            }
            _ => {
                if open.is_none() {
                    open = Some(at);
                }
            }
        }
    }
    if let Some(start) = open {
        finish(&mut out, start, sql.len(), gap_start);
    }
    Ok(out)
}

/// Whether the text between two statements holds the skip marker as a line
/// comment (`-- secure-pg: skip`, optionally followed by a reason).
fn has_skip_marker(gap: &str) -> bool {
    gap.lines().any(|line| {
        line.trim_start()
            .strip_prefix("--")
            .is_some_and(|rest| rest.trim_start().starts_with(SKIP_MARKER))
    })
}

/// The words of a statement, as tokens outside strings and comments:
/// identifiers and keywords upper-cased, quoted identifiers as written
/// (with their quotes), punctuation as itself. Enough to classify
/// statements sqlparser is not asked to parse.
pub(crate) fn words(text: &str) -> Vec<String> {
    let Ok(toks) = lex(text) else {
        return Vec::new();
    };
    toks.iter()
        .map(|t| {
            let rest = &text[t.offset()..];
            let first = rest.chars().next().unwrap_or(' ');
            if first.is_alphabetic() || first == '_' {
                let end = rest
                    .char_indices()
                    .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$'))
                    .map_or(rest.len(), |(i, _)| i);
                rest[..end].to_ascii_uppercase()
            } else if first == '"' || first == '\'' {
                let end = rest[1..].find(first).map_or(rest.len(), |n| n + 2);
                rest[..end].to_string()
            } else if let Some(quoted) = dollar_quoted(rest) {
                quoted.to_string()
            } else {
                first.to_string()
            }
        })
        .collect()
}

/// The dollar-quoted string at the start of `rest` (`$$...$$`,
/// `$tag$...$tag$`), delimiters included.
fn dollar_quoted(rest: &str) -> Option<&str> {
    let tag_len = 2 + rest.get(1..)?.find('$')?;
    let tag = &rest[..tag_len];
    if !tag[1..tag_len - 1]
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_')
        || tag[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let close = tag_len + rest[tag_len..].find(tag)?;
    Some(&rest[..close + tag_len])
}

/// The first `n` words of a statement (keywords and names upper-cased,
/// quoted names with their quotes), stopping early at the first token that
/// is not a word, which is included. A cheap prefix of [`words`] that does
/// not lex the whole statement.
pub(crate) fn leading_words(text: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while out.len() < n {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.find('\n').map_or("", |i| &r[i..]);
            continue;
        }
        if rest.starts_with("/*") {
            // Rare before a statement's first words: fall back to the lexer.
            return words(text).into_iter().take(n).collect();
        }
        let Some(first) = rest.chars().next() else {
            break;
        };
        if first.is_alphabetic() || first == '_' {
            let end = rest
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$'))
                .map_or(rest.len(), |(i, _)| i);
            out.push(rest[..end].to_ascii_uppercase());
            rest = &rest[end..];
        } else if first == '"' {
            let end = rest[1..].find('"').map_or(rest.len(), |i| i + 2);
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        } else {
            out.push(first.to_string());
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_lines_and_markers() {
        let sql = "\\restrict abc;def\nSET x = 1;\n-- note\n-- secure-pg: skip (legacy)\nDO $$ BEGIN; END $$;\n\nCREATE TABLE t (a int)\n;SELECT ';'";
        let stmts = split(sql).unwrap();
        let got: Vec<_> = stmts.iter().map(|s| (s.text, s.line, s.skip)).collect();
        assert_eq!(
            got,
            [
                ("SET x = 1", 2, false),
                ("DO $$ BEGIN; END $$", 5, true),
                ("CREATE TABLE t (a int)", 7, false),
                ("SELECT ';'", 8, false),
            ]
        );
    }

    #[test]
    fn marker_applies_to_the_next_statement_only() {
        let stmts = split("-- secure-pg: skip\nA;\nB; -- secure-pg: skip\nC").unwrap();
        let skips: Vec<_> = stmts.iter().map(|s| s.skip).collect();
        assert_eq!(skips, [true, false, true]);
    }

    #[test]
    fn meta_command_inside_a_statement_is_an_error() {
        assert_eq!(split("SELECT 1\n\\gset\n").unwrap_err().0, 2);
        assert_eq!(split("SELECT 'abc").unwrap_err().0, 1);
    }

    #[test]
    fn leading_words_are_a_prefix_of_words() {
        for sql in [
            "create unique index x on t (a)",
            "  -- c\n ALTER TABLE \"T\" OWNER TO bob",
            "/* c */ GRANT x",
            "SELECT pg_catalog.set_config('a', '', false)",
            "",
        ] {
            let all = words(sql);
            let head = leading_words(sql, 4);
            assert_eq!(head[..], all[..head.len()], "{sql}");
        }
    }

    #[test]
    fn words_classify() {
        assert_eq!(
            words("alter TABLE \"T\" owner to bob"),
            ["ALTER", "TABLE", "\"T\"", "OWNER", "TO", "BOB"]
        );
        assert_eq!(
            words("SELECT pg_catalog.set_config('search_path', '', false)"),
            [
                "SELECT",
                "PG_CATALOG",
                ".",
                "SET_CONFIG",
                "(",
                "'search_path'",
                ",",
                "''",
                ",",
                "FALSE",
                ")"
            ]
        );
    }
}

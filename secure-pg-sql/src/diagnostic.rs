//! Typed findings about a piece of SQL, and how they are shown to a user.
//!
//! The analysis never formats locations into its messages: it returns a
//! [`Diagnostic`] with a message, an optional [`Position`] in the SQL and an
//! optional fix. A front end (the proc-macro shim, a linter, a test) decides
//! how to show it; [`Diagnostic::render`] is the rendering the macros use: the
//! message, the location, the SQL line with a caret under the position, and
//! the fix.

use std::fmt;

/// A 1-based line and column in the SQL text; the column counts characters,
/// not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub column: usize,
}

impl Position {
    /// The byte offset of this position in `sql` (the inverse of
    /// [`Position::of_offset`]); `None` when `sql` has no such place.
    pub fn offset_in(&self, sql: &str) -> Option<usize> {
        let line_start = if self.line <= 1 {
            0
        } else {
            sql.match_indices('\n').nth(self.line - 2)?.0 + 1
        };
        let line = &sql[line_start..];
        let column = self.column.checked_sub(1)?;
        match line.char_indices().nth(column) {
            Some((i, _)) => Some(line_start + i),
            None => (line.chars().count() == column).then_some(line_start + line.len()),
        }
    }

    /// The position of byte `offset` in `sql`. An offset inside a character
    /// or past the end is clamped to the closest preceding character
    /// boundary.
    pub fn of_offset(sql: &str, offset: usize) -> Position {
        let mut offset = offset.min(sql.len());
        while !sql.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &sql[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        Position {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// One problem found in the SQL: what is wrong, where, and what to write
/// instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, in lower case without trailing punctuation.
    pub message: String,
    /// Where in the SQL, when the problem has a place.
    pub at: Option<Position>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a message only.
    pub fn new(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            at: None,
            help: None,
        }
    }

    /// Places the diagnostic at `position`.
    pub fn at(mut self, position: Position) -> Diagnostic {
        self.at = Some(position);
        self
    }

    /// Places the diagnostic at byte `offset` of `sql`.
    pub fn at_offset(self, sql: &str, offset: usize) -> Diagnostic {
        self.at(Position::of_offset(sql, offset))
    }

    /// Adds the fix.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// The diagnostic as the macros show it:
    ///
    /// ```text
    /// <message> at line 1, column 20
    ///   |
    /// 1 | SELECT 1; DROP TABLE widgets
    ///   |           ^
    /// = help: <help>
    /// ```
    ///
    /// `sql` must be the text the position refers to.
    pub fn render(&self, sql: &str) -> String {
        let mut out = self.message.clone();
        if let Some(at) = self.at {
            out.push_str(&format!(" at {at}\n"));
            out.push_str(&snippet(sql, at));
        } else if self.help.is_some() {
            out.push('\n');
        }
        if let Some(help) = &self.help {
            out.push_str("= help: ");
            out.push_str(help);
        }
        out.truncate(out.trim_end().len());
        out
    }
}

impl fmt::Display for Diagnostic {
    /// The message and position without the SQL excerpt (which needs the
    /// SQL); use [`Diagnostic::render`] to show it to a user.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(at) = self.at {
            write!(f, " at {at}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "; help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// The line of `sql` at `at` with a gutter and a caret under the column,
/// each line ending in `\n`.
pub fn snippet(sql: &str, at: Position) -> String {
    let text = sql.lines().nth(at.line.saturating_sub(1)).unwrap_or("");
    let number = at.line.to_string();
    let pad = " ".repeat(number.len());
    // Keep tabs so the caret lines up with the quoted text.
    let indent: String = text
        .chars()
        .chain(std::iter::repeat(' '))
        .take(at.column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{pad} |\n{number} | {text}\n{pad} | {indent}^\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_positions_are_inverse() {
        let sql = "SELECT 'é', x\n  FROM t\nWHERE ü = 1";
        for (offset, _) in sql.char_indices() {
            let p = Position::of_offset(sql, offset);
            assert_eq!(p.offset_in(sql), Some(offset), "{p}");
        }
        assert_eq!(Position { line: 4, column: 1 }.offset_in(sql), None);
        assert_eq!(
            Position {
                line: 1,
                column: 40
            }
            .offset_in(sql),
            None
        );
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let sql = "SELECT 'é'\n  FROM t";
        assert_eq!(
            Position::of_offset(sql, sql.find("FROM").unwrap()),
            Position { line: 2, column: 3 }
        );
        assert_eq!(
            Position::of_offset(sql, sql.find('\'').unwrap() + 2),
            Position { line: 1, column: 9 }
        );
        // Inside a multi-byte character: the character's own position.
        assert_eq!(
            Position::of_offset(sql, sql.find('é').unwrap() + 1),
            Position { line: 1, column: 9 }
        );
        assert_eq!(Position::of_offset("", 10), Position { line: 1, column: 1 });
    }

    #[test]
    fn render_quotes_the_line_with_a_caret() {
        let sql = "SELECT 1;\n\tDROP TABLE t";
        let d = Diagnostic::new("stacked")
            .at_offset(sql, sql.find("DROP").unwrap())
            .help("one statement");
        assert_eq!(
            d.render(sql),
            "stacked at line 2, column 2\n  |\n2 | \tDROP TABLE t\n  | \t^\n= help: one statement"
        );
        assert_eq!(
            Diagnostic::new("empty").help("write it").render(""),
            "empty\n= help: write it"
        );
        assert_eq!(Diagnostic::new("plain").render("x"), "plain");
        assert_eq!(
            d.to_string(),
            "stacked at line 2, column 2; help: one statement"
        );
    }
}

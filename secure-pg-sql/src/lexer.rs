//! A small PostgreSQL lexer.
//!
//! It does not build a syntax tree; it only knows enough of PostgreSQL's
//! lexical rules to tell which characters are *inside* something (a string,
//! a quoted identifier, a dollar-quoted body, a comment) and which are not.
//! Outside those it reports the things the macros care about: `$n`
//! placeholders, top-level `;` and bare `?` characters.
//!
//! It is used on its own by the `*_unparsed!` escape hatches and as a
//! cross-check of sqlparser's tokenizer by the parsed forms.

use std::fmt;

/// One interesting piece of SQL found by [`lex`]. `offset` is a byte offset
/// into the SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// `$n`; `index` is `None` when the number does not fit in a `u32`.
    #[allow(missing_docs)]
    Placeholder { index: Option<u32>, offset: usize },
    /// A `;` outside strings, identifiers and comments.
    #[allow(missing_docs)]
    Semicolon { offset: usize },
    /// A `?` that is a whole operator by itself (not `?|`, `?&`, `@?` ...).
    #[allow(missing_docs)]
    Question { offset: usize },
    /// Any other significant token (words, numbers, strings, operators...).
    #[allow(missing_docs)]
    Other { offset: usize },
}

impl Tok {
    /// Byte offset of the token in the SQL text.
    pub fn offset(&self) -> usize {
        match *self {
            Tok::Placeholder { offset, .. }
            | Tok::Semicolon { offset }
            | Tok::Question { offset }
            | Tok::Other { offset } => offset,
        }
    }
}

/// A lexical error: something opened and never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// What was left open.
    pub message: &'static str,
    /// Byte offset of the opening delimiter.
    pub offset: usize,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

/// Characters PostgreSQL accepts in operators.
fn is_operator_char(c: u8) -> bool {
    b"+-*/<>=~!@#%^&|`?".contains(&c)
}

/// Whether `c` can start an operator.
pub fn starts_operator(c: char) -> bool {
    c.is_ascii() && is_operator_char(c as u8)
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || !c.is_ascii()
}

fn is_ident_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()
}

/// Splits `sql` into significant tokens; whitespace and comments are dropped.
pub fn lex(sql: &str) -> Result<Vec<Tok>, LexError> {
    lex_with_spans(sql, None)
}

/// The byte ranges of `sql` that are not whitespace or comments, each a
/// maximal run the lexer read as one piece (a word, a number, an operator,
/// a string, a quoted identifier, a dollar-quoted body, a placeholder, a
/// `;`). Two ranges that touch had nothing between them; a gap between two
/// ranges is whitespace and comments only. The checksums of
/// [`crate::migrate`] are taken over these.
pub fn significant_spans(sql: &str) -> Result<Vec<std::ops::Range<usize>>, LexError> {
    let mut spans = Vec::new();
    lex_with_spans(sql, Some(&mut spans))?;
    Ok(spans)
}

fn lex_with_spans(
    sql: &str,
    mut spans: Option<&mut Vec<std::ops::Range<usize>>>,
) -> Result<Vec<Tok>, LexError> {
    let bytes = sql.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let before = toks.len();
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(sql, i)?,
            b'\'' => {
                i = skip_quoted(sql, i, b'\'', false, "unterminated string literal")?;
                toks.push(Tok::Other { offset: start });
            }
            b'"' => {
                i = skip_quoted(sql, i, b'"', false, "unterminated quoted identifier")?;
                toks.push(Tok::Other { offset: start });
            }
            b'e' | b'E' if bytes.get(i + 1) == Some(&b'\'') => {
                i = skip_quoted(sql, i + 1, b'\'', true, "unterminated E'...' string")?;
                toks.push(Tok::Other { offset: start });
            }
            b'$' => {
                i = lex_dollar(sql, i, &mut toks)?;
            }
            b';' => {
                toks.push(Tok::Semicolon { offset: start });
                i += 1;
            }
            b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                toks.push(Tok::Other { offset: start });
            }
            c if is_operator_char(c) => {
                // An operator is a maximal run of operator characters, but a
                // comment start ends it.
                i += 1;
                while i < bytes.len()
                    && is_operator_char(bytes[i])
                    && !sql[i..].starts_with("--")
                    && !sql[i..].starts_with("/*")
                {
                    i += 1;
                }
                let op = &sql[start..i];
                if op == "?" {
                    toks.push(Tok::Question { offset: start });
                } else if op.len() > 1
                    && op.ends_with('?')
                    && op[..op.len() - 1].bytes().all(|b| b"=<>!".contains(&b))
                {
                    // `id=?`: PostgreSQL would read one unknown operator `=?`;
                    // report the `?` the author meant as a placeholder.
                    toks.push(Tok::Other { offset: start });
                    toks.push(Tok::Question { offset: i - 1 });
                } else {
                    toks.push(Tok::Other { offset: start });
                }
            }
            _ => {
                let ch = sql[i..].chars().next().unwrap_or(' ');
                i += ch.len_utf8();
                if is_ident_start(ch) {
                    while let Some(next) = sql[i..].chars().next() {
                        if !is_ident_part(next) {
                            break;
                        }
                        i += next.len_utf8();
                    }
                }
                toks.push(Tok::Other { offset: start });
            }
        }
        if toks.len() > before {
            if let Some(spans) = spans.as_deref_mut() {
                spans.push(start..i);
            }
        }
    }
    Ok(toks)
}

/// Skips a `/* ... */` comment starting at `start`, honouring nesting.
fn skip_block_comment(sql: &str, start: usize) -> Result<usize, LexError> {
    let bytes = sql.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    // Byte-wise: `/` and `*` are ASCII, so they never occur inside a
    // multi-byte character and no slice can split one.
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Ok(i);
            }
        } else {
            i += 1;
        }
    }
    Err(LexError {
        message: "unterminated /* comment",
        offset: start,
    })
}

/// Skips a quoted run starting at the opening `quote` at `start`. A doubled
/// quote stands for itself; with `backslash` a backslash escapes the next
/// character (E'...' strings).
fn skip_quoted(
    sql: &str,
    start: usize,
    quote: u8,
    backslash: bool,
    message: &'static str,
) -> Result<usize, LexError> {
    let bytes = sql.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        let c = bytes[i];
        if backslash && c == b'\\' {
            i += 2;
        } else if c == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return Ok(i + 1);
            }
        } else {
            i += 1;
        }
    }
    Err(LexError {
        message,
        offset: start,
    })
}

/// Lexes what starts with `$`: a placeholder `$n`, a dollar-quoted string
/// `$$...$$` / `$tag$...$tag$`, or a lone `$`.
fn lex_dollar(sql: &str, start: usize, toks: &mut Vec<Tok>) -> Result<usize, LexError> {
    let bytes = sql.as_bytes();
    let rest = &sql[start + 1..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let index = rest[..digits].parse::<u32>().ok();
        toks.push(Tok::Placeholder {
            index,
            offset: start,
        });
        return Ok(start + 1 + digits);
    }
    // A tag is empty or an identifier without `$`.
    let mut tag_len = 0;
    let mut chars = rest.char_indices();
    if let Some((_, first)) = chars.next() {
        if is_ident_start(first) {
            tag_len = first.len_utf8();
            for (at, ch) in chars {
                if ch == '$' || !is_ident_part(ch) {
                    break;
                }
                tag_len = at + ch.len_utf8();
            }
        }
    }
    if bytes.get(start + 1 + tag_len) != Some(&b'$') {
        toks.push(Tok::Other { offset: start });
        return Ok(start + 1);
    }
    let delimiter = &sql[start..start + tag_len + 2];
    let body = start + delimiter.len();
    match sql[body..].find(delimiter) {
        Some(n) => {
            toks.push(Tok::Other { offset: start });
            Ok(body + n + delimiter.len())
        }
        None => Err(LexError {
            message: "unterminated dollar-quoted string",
            offset: start,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Placeholder numbers found in `sql`, in order.
    fn placeholders(sql: &str) -> Vec<u32> {
        lex(sql)
            .unwrap()
            .iter()
            .filter_map(|t| match t {
                Tok::Placeholder { index, .. } => Some(index.unwrap()),
                _ => None,
            })
            .collect()
    }

    fn semicolons(sql: &str) -> Vec<usize> {
        lex(sql)
            .unwrap()
            .iter()
            .filter_map(|t| match t {
                Tok::Semicolon { offset } => Some(*offset),
                _ => None,
            })
            .collect()
    }

    fn questions(sql: &str) -> usize {
        lex(sql)
            .unwrap()
            .iter()
            .filter(|t| matches!(t, Tok::Question { .. }))
            .count()
    }

    #[test]
    fn plain_placeholders() {
        assert_eq!(
            placeholders("SELECT * FROM t WHERE a = $1 AND b = $2"),
            [1, 2]
        );
        assert_eq!(placeholders("SELECT $12"), [12]);
        assert_eq!(placeholders("SELECT $1, $1"), [1, 1]);
    }

    #[test]
    fn casts() {
        assert_eq!(placeholders("SELECT $1::int, $2::text[]"), [1, 2]);
        assert_eq!(placeholders("SELECT 'x'::text"), Vec::<u32>::new());
    }

    #[test]
    fn placeholders_in_strings_are_ignored() {
        assert_eq!(placeholders("SELECT '$1', $2"), [2]);
        assert_eq!(placeholders("SELECT 'it''s $1', $2"), [2]);
        assert_eq!(placeholders("SELECT '', $1"), [1]);
    }

    #[test]
    fn e_strings() {
        assert_eq!(placeholders(r"SELECT E'it\'s $1', $2"), [2]);
        assert_eq!(placeholders(r"SELECT e'\\', $1"), [1]);
        assert_eq!(placeholders(r"SELECT E'a''b $1', $2"), [2]);
        // In a standard string a backslash is an ordinary character.
        assert_eq!(placeholders(r"SELECT '\', $1"), [1]);
    }

    #[test]
    fn identifier_ending_in_e_is_not_an_e_string() {
        // `some` then a standard string: the backslash does not escape.
        assert_eq!(placeholders(r"SELECT some'\', $1"), [1]);
    }

    #[test]
    fn quoted_identifiers() {
        assert_eq!(placeholders(r#"SELECT "$1", "a""$2", $3"#), [3]);
        assert_eq!(semicolons(r#"SELECT ";" FROM t"#), Vec::<usize>::new());
    }

    #[test]
    fn dollar_quotes() {
        assert_eq!(placeholders("SELECT $$ $1 ; ' $$, $2"), [2]);
        assert_eq!(placeholders("SELECT $fn$ $$ $1 $fn$, $2"), [2]);
        assert_eq!(placeholders("SELECT $a$ $b$ $1 $b$ $a$, $3"), [3]);
        assert_eq!(semicolons("DO $$ BEGIN; END $$"), Vec::<usize>::new());
    }

    #[test]
    fn dollar_in_identifiers() {
        assert_eq!(placeholders("SELECT a$1 FROM t$2"), Vec::<u32>::new());
        assert_eq!(placeholders("SELECT a$b$c, $1"), [1]);
    }

    #[test]
    fn comments() {
        assert_eq!(placeholders("SELECT 1 -- $1 ;\n, $2"), [2]);
        assert_eq!(placeholders("SELECT /* $1 */ $2"), [2]);
        assert_eq!(placeholders("SELECT /* a /* $1 */ $2 ; */ $3"), [3]);
        assert_eq!(semicolons("SELECT 1 /* ; */ -- ;"), Vec::<usize>::new());
        assert_eq!(placeholders("SELECT 1-$1"), [1]);
        assert_eq!(placeholders("SELECT 1 --$1"), Vec::<u32>::new());
    }

    #[test]
    fn top_level_semicolons() {
        assert_eq!(semicolons("SELECT 1; DROP TABLE x"), [8]);
        assert_eq!(semicolons("SELECT ';'; "), [10]);
    }

    #[test]
    fn question_marks() {
        assert_eq!(questions("SELECT * FROM t WHERE id = ?"), 1);
        assert_eq!(questions("SELECT data ? 'k' FROM t"), 1);
        assert_eq!(questions("SELECT * FROM t WHERE id=? AND b<>?"), 2);
        assert_eq!(questions("SELECT a @? b"), 0);
        assert_eq!(questions("SELECT data ?| array['k'], d @? '$.a'"), 0);
        assert_eq!(questions("SELECT '?', \"?\" -- ?"), 0);
    }

    #[test]
    fn huge_placeholder_number() {
        let toks = lex("SELECT $99999999999").unwrap();
        assert!(matches!(toks[1], Tok::Placeholder { index: None, .. }));
    }

    #[test]
    fn unterminated() {
        for (sql, message, offset) in [
            ("SELECT 'abc", "unterminated string literal", 7),
            ("SELECT E'abc\\'", "unterminated E'...' string", 8),
            ("SELECT \"abc", "unterminated quoted identifier", 7),
            ("SELECT $$abc$", "unterminated dollar-quoted string", 7),
            ("SELECT $t$abc$$", "unterminated dollar-quoted string", 7),
            ("SELECT /* /* */", "unterminated /* comment", 7),
        ] {
            assert_eq!(lex(sql), Err(LexError { message, offset }), "{sql}");
        }
    }

    #[test]
    fn lone_dollar_and_unicode() {
        assert_eq!(placeholders("SELECT $ , é$1, ü, $1"), [1]);
    }

    /// Found by the property test below: a multi-byte character inside a
    /// block comment made the lexer slice inside it and panic.
    #[test]
    fn multibyte_characters_in_block_comments() {
        let toks = lex("SELECT 1 /* 𞹙 ü $1 */ + $1").unwrap();
        let placeholders = toks
            .iter()
            .filter(|t| matches!(t, Tok::Placeholder { .. }))
            .count();
        assert_eq!(placeholders, 1);
        assert!(lex("/*𞹙").is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// A fragment of SQL and the placeholder numbers it contributes.
        fn fragment() -> impl Strategy<Value = (String, Vec<u32>)> {
            prop_oneof![
                (1u32..40).prop_map(|n| (format!(" ${n} "), vec![n])),
                (1u32..40).prop_map(|n| (format!(" ${n}::int "), vec![n])),
                (1u32..40).prop_map(|n| (format!(" 'text ${n} ''q'' ' "), vec![])),
                (1u32..40).prop_map(|n| (format!(" E'esc \\' ${n}' "), vec![])),
                (1u32..40).prop_map(|n| (format!(" \"col${n}\" "), vec![])),
                (1u32..40).prop_map(|n| (format!(" $$ body ${n}; $$ "), vec![])),
                (1u32..40).prop_map(|n| (format!(" $tag$ ${n} $$ ; $tag$ "), vec![])),
                (1u32..40).prop_map(|n| (format!(" -- ${n} ;\n"), vec![])),
                (1u32..40).prop_map(|n| (format!(" /* ${n} /* nested ; */ */ "), vec![])),
                (1u32..40).prop_map(|n| (format!(" a${n} "), vec![])),
                Just((" SELECT x FROM t WHERE ".to_string(), vec![])),
            ]
        }

        proptest! {
            /// The lexer finds exactly the placeholders outside strings,
            /// quoted identifiers, dollar quotes and comments, and no
            /// top-level `;` inside them.
            #[test]
            fn placeholders_are_found_exactly(parts in proptest::collection::vec(fragment(), 0..12)) {
                let sql: String = parts.iter().map(|(s, _)| s.as_str()).collect();
                let expected: Vec<u32> = parts.iter().flat_map(|(_, n)| n.clone()).collect();
                let toks = lex(&sql).unwrap();
                let found: Vec<u32> = toks.iter().filter_map(|t| match t {
                    Tok::Placeholder { index, .. } => *index,
                    _ => None,
                }).collect();
                prop_assert_eq!(found, expected);
                prop_assert!(!toks.iter().any(|t| matches!(t, Tok::Semicolon { .. })), "{}", sql);
            }

            /// Neither the lexer nor the full analysis (sqlparser included)
            /// panics, whatever the input: a panic in a proc macro is an
            /// unreadable compile error.
            #[test]
            fn arbitrary_input_never_panics(s in "\\PC{0,120}") {
                let _ = lex(&s);
                let _ = crate::check::analyze(&s, crate::check::Mode::Unparsed);
                let _ = crate::check::analyze(
                    &s,
                    crate::check::Mode::Parsed { escape_hatch: "secure_query_unparsed!" },
                );
            }
        }
    }
}

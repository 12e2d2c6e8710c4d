//! Names compared the way PostgreSQL compares them.
//!
//! PostgreSQL folds an unquoted identifier with `downcase_identifier`: the
//! ASCII letters `A`-`Z` become lower case and every other byte is kept
//! (in a multi-byte server encoding such as UTF-8, which is what secure-pg
//! assumes). It does *not* apply Unicode case mapping: `K` (U+212A KELVIN
//! SIGN) and `İ` stay as they are, and `ß` does not become `ss`. A quoted
//! identifier is kept exactly. Both are then truncated to `NAMEDATALEN - 1`
//! = 63 bytes, at a character boundary. Two names denote the same object
//! exactly when these forms are equal.
//!
//! Rust's `to_lowercase` would fold `K` to `k` and so make a table named
//! `"Kelvin"`-with-a-Kelvin-sign look like `kelvin`; never use it on SQL
//! names.

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart};

/// The longest identifier PostgreSQL keeps, in bytes (`NAMEDATALEN - 1`).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// The name PostgreSQL resolves `ident` to.
pub fn pg_name(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        truncate(ident.value.clone())
    } else {
        fold_unquoted(&ident.value)
    }
}

/// The name PostgreSQL resolves the unquoted identifier `word` to: ASCII
/// `A`-`Z` folded, nothing else, then truncated.
pub fn fold_unquoted(word: &str) -> String {
    truncate(word.chars().map(|c| c.to_ascii_lowercase()).collect())
}

/// The name PostgreSQL resolves the quoted identifier with contents
/// `value` (quotes removed, `""` already unescaped) to.
pub fn quoted(value: &str) -> String {
    truncate(value.to_owned())
}

/// Cuts `name` to at most 63 bytes without splitting a character, as
/// PostgreSQL's `truncate_identifier` does.
pub fn truncate(mut name: String) -> String {
    if name.len() > MAX_IDENTIFIER_BYTES {
        let mut end = MAX_IDENTIFIER_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

/// Whether `s` is a lower-case SQL identifier that needs no quotes: an ASCII
/// letter or `_`, then letters, digits or `_`. Names that options accept
/// as bare words (the tenant column, its type) must be of this form, so
/// that splicing one into SQL can never change what the SQL says.
pub fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The parts of `name`, each as PostgreSQL resolves it, or `None` if a part
/// is not a plain identifier.
pub fn pg_object_name(name: &ObjectName) -> Option<Vec<String>> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => Some(pg_name(ident)),
            ObjectNamePart::Function(_) => None,
        })
        .collect()
}

/// Parses `text` as a possibly qualified SQL name (`currencies`,
/// `ref.currencies`, `"Currencies"`, `ref."Odd ""name"""`) and resolves each
/// part; `None` if it is not exactly one such name.
pub fn parse_name(text: &str) -> Option<Vec<String>> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let mut parser = sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(text)
        .ok()?;
    let name = parser.parse_object_name(false).ok()?;
    if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
        return None;
    }
    pg_object_name(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_identifiers_are_lower_case_words() {
        for ok in ["tenant_id", "_t", "org2", "uuid"] {
            assert!(is_plain_identifier(ok), "{ok}");
        }
        for bad in ["", "Tenant", "2x", "a-b", "a b", "t\"", "ünï", "a;drop"] {
            assert!(!is_plain_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn folds_ascii_only() {
        assert_eq!(pg_name(&Ident::new("Widgets")), "widgets");
        assert_eq!(pg_name(&Ident::with_quote('"', "Widgets")), "Widgets");
        // KELVIN SIGN, LATIN CAPITAL LETTER I WITH DOT ABOVE, capital
        // sharp s: kept as written.
        assert_eq!(pg_name(&Ident::new("\u{212A}ey")), "\u{212A}ey");
        assert_eq!(pg_name(&Ident::new("İd")), "İd");
        assert_eq!(pg_name(&Ident::new("ẞ")), "ẞ");
        assert_eq!(pg_name(&Ident::new("ÀB")), "Àb");
    }

    #[test]
    fn parses_names() {
        assert_eq!(parse_name("Currencies"), Some(vec!["currencies".into()]));
        assert_eq!(
            parse_name("\"Currencies\""),
            Some(vec!["Currencies".into()])
        );
        assert_eq!(
            parse_name("Ref.\"a\"\"b\""),
            Some(vec!["ref".into(), "a\"b".into()])
        );
        assert_eq!(parse_name("type"), Some(vec!["type".into()]));
        assert_eq!(parse_name("a b"), None);
        assert_eq!(parse_name(""), None);
        assert_eq!(parse_name("a."), None);
    }

    #[test]
    fn truncates_at_63_bytes_on_a_char_boundary() {
        let long = "a".repeat(70);
        assert_eq!(pg_name(&Ident::new(long.clone())), "a".repeat(63));
        assert_eq!(
            pg_name(&Ident::with_quote('"', long.to_uppercase())),
            "A".repeat(63)
        );
        // 62 ASCII bytes then a 2-byte character: the character does not fit.
        let name = format!("{}é", "b".repeat(62));
        assert_eq!(pg_name(&Ident::new(name)), "b".repeat(62));
        let exact = "c".repeat(63);
        assert_eq!(pg_name(&Ident::new(exact.clone())), exact);
    }
}

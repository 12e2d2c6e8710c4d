//! Migration histories as `secure_pg::migrate!()` embeds them: each file's
//! version and name (from the layouts [`schema::locate`](crate::schema::locate())
//! recognises, so the runner applies exactly the files the schema checks
//! read), its statements, and the text each statement's checksum is taken
//! over.
//!
//! **Checksums are over statements, not bytes.** A statement's checksum
//! text is its significant pieces (words, numbers, operators, strings,
//! quoted identifiers, dollar-quoted bodies) as written, with every run of
//! whitespace and comments between them replaced by one space: PostgreSQL
//! reads a comment as whitespace, so two texts with the same checksum text
//! mean the same to the server. (The one place where PostgreSQL looks at
//! the whitespace itself, two string constants continued across a line
//! break, keeps the line break.) Editing a comment, re-indenting or
//! re-wrapping an applied migration therefore changes nothing; changing a
//! word, a value or a string does, and the runner names the statement.
//!
//! **Transactions.** Each migration runs in a transaction of its own unless
//! its file starts with the line `-- secure-pg: no-transaction` (before
//! its first statement): then each statement is sent on its own, outside a
//! transaction, as `CREATE INDEX CONCURRENTLY` needs. A transactional
//! migration may not contain `BEGIN`, `START TRANSACTION`, `COMMIT` or
//! `ROLLBACK` itself ([`read_migration`] refuses them).

use std::path::{Path, PathBuf};

use crate::lexer::significant_spans;
use crate::schema::{Layout, SchemaError, Source};

/// The line that makes a migration run outside a transaction, statement by
/// statement, when it stands before the file's first statement.
pub const NO_TRANSACTION_MARKER: &str = "secure-pg: no-transaction";

/// One statement of a migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Byte offset of its first significant character in the file.
    pub start: usize,
    /// Byte offset just past its last significant character (its `;` not
    /// included).
    pub end: usize,
    /// 1-based line of its first significant character.
    pub line: usize,
    /// The text its checksum is taken over (see the module docs).
    pub normalized: String,
}

/// One migration of a history, read and split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Its version, as the ledger records it.
    pub version: i64,
    /// Its name: the file (or diesel directory) name after the version,
    /// without the extension.
    pub name: String,
    /// The file to apply.
    pub file: PathBuf,
    /// The file starts with [`NO_TRANSACTION_MARKER`].
    pub no_transaction: bool,
    /// Its statements, in order.
    pub statements: Vec<Statement>,
}

impl Migration {
    /// Its file as shown to users and recorded with it: relative to `root`
    /// (the workspace root, or the crate's), with `/` separators.
    pub fn shown_file(&self, root: &Path) -> String {
        self.file
            .strip_prefix(root)
            .unwrap_or(&self.file)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

fn error(file: &Path, line: usize, message: String, help: Option<&str>) -> SchemaError {
    SchemaError {
        file: file.to_path_buf(),
        line,
        message,
        help: help.map(str::to_string),
    }
}

/// The migrations of a located schema source, read from disk. A single
/// schema file is not a history: it is an error that says so.
pub fn read_history(source: &Source) -> Result<Vec<Migration>, SchemaError> {
    let (layout, files) =
        match source {
            Source::File(file) => return Err(error(
                file,
                0,
                "this is a single schema file, not a migration history, so there is nothing to \
                 apply in order"
                    .to_string(),
                Some(
                    "keep the schema as migrations in `migrations/` (sqlx `<version>_<name>.sql`, \
                     refinery `V<n>__<name>.sql` or diesel `<version>_<name>/up.sql`), or name \
                     the directory: `migrate!(\"path/to/migrations\")`",
                ),
            )),
            Source::Migrations { layout, files, .. } => (*layout, files),
        };
    let mut out: Vec<Migration> = Vec::with_capacity(files.len());
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| {
            error(
                file,
                0,
                format!("cannot read the migration: {e}"),
                Some("migrations must be UTF-8 text files"),
            )
        })?;
        let m = read_migration(layout, file, &text)?;
        if let Some(prev) = out.iter().find(|p| p.version == m.version) {
            return Err(error(
                file,
                0,
                format!(
                    "two migrations have version {} (the other is {})",
                    m.version,
                    prev.file.display()
                ),
                None,
            ));
        }
        out.push(m);
    }
    Ok(out)
}

/// One migration file of `layout`: its version and name from its path, its
/// statements from `text`.
pub fn read_migration(layout: Layout, file: &Path, text: &str) -> Result<Migration, SchemaError> {
    let (version, name) =
        version_and_name(layout, file).map_err(|message| error(file, 0, message, None))?;
    let statements = statements(text).map_err(|(line, m)| error(file, line, m, None))?;
    let first = statements.first().map_or(text.len(), |s| s.start);
    let no_transaction = has_marker(&text[..first]);
    if !no_transaction {
        if let Some((s, word)) = statements
            .iter()
            .find_map(|s| transaction_control(&s.normalized).map(|w| (s, w)))
        {
            return Err(error(
                file,
                s.line,
                format!(
                    "`{word}` in a migration: each migration already runs in a transaction of \
                     its own"
                ),
                Some(
                    "remove it, or, for statements that cannot run in a transaction (`CREATE \
                     INDEX CONCURRENTLY`), start the file with the line \
                     `-- secure-pg: no-transaction`",
                ),
            ));
        }
    }
    Ok(Migration {
        version,
        name,
        file: file.to_path_buf(),
        no_transaction,
        statements,
    })
}

/// The version and name a file of `layout` carries in its path.
pub fn version_and_name(layout: Layout, file: &Path) -> Result<(i64, String), String> {
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (digits, name) = match layout {
        Layout::Sqlx => {
            let stem = file_name
                .strip_suffix(".up.sql")
                .or_else(|| file_name.strip_suffix(".sql"))
                .unwrap_or(&file_name);
            split_version(stem, "_")
        }
        Layout::Refinery => {
            let stem = file_name.strip_suffix(".sql").unwrap_or(&file_name);
            split_version(stem.strip_prefix('V').unwrap_or(stem), "__")
        }
        Layout::Diesel | Layout::Prisma => {
            let dir = file
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (head, name) = dir.split_once('_').unwrap_or((&dir, ""));
            (head.replace('-', ""), name.to_string())
        }
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "the migration's version `{digits}` is not a number"
        ));
    }
    let version = digits.parse::<i64>().map_err(|_| {
        format!("the migration's version {digits} does not fit the ledger's bigint")
    })?;
    Ok((version, name))
}

fn split_version(stem: &str, separator: &str) -> (String, String) {
    let n = stem.bytes().take_while(u8::is_ascii_digit).count();
    let name = stem[n..].strip_prefix(separator).unwrap_or(&stem[n..]);
    (stem[..n].to_string(), name.to_string())
}

/// The statements of `sql` with their checksum texts, or the line and
/// message of a lexical error (an unterminated string or comment).
pub fn statements(sql: &str) -> Result<Vec<Statement>, (usize, String)> {
    let line_of = |offset: usize| sql[..offset].matches('\n').count() + 1;
    let spans = significant_spans(sql).map_err(|e| (line_of(e.offset), e.message.to_string()))?;
    let mut out = Vec::new();
    let mut current: Vec<std::ops::Range<usize>> = Vec::new();
    let mut finish = |current: &mut Vec<std::ops::Range<usize>>| {
        if let (Some(first), Some(last)) = (current.first(), current.last()) {
            out.push(Statement {
                start: first.start,
                end: last.end,
                line: line_of(first.start),
                normalized: normalize(sql, current),
            });
        }
        current.clear();
    };
    for span in spans {
        if &sql[span.clone()] == ";" {
            finish(&mut current);
        } else {
            current.push(span);
        }
    }
    finish(&mut current);
    Ok(out)
}

/// The checksum text of one statement's significant pieces: see the module
/// docs. Next to a bracket, a comma or an operator (other than `&`, as in
/// `U&'...'`), whitespace never changes how PostgreSQL reads the text, so
/// none is written there whether the file had any or not; between other
/// pieces (words, numbers, strings, `.`, `:`) a gap is written as one
/// space and no gap as none (`1.5` is not `1 . 5`, `B'1'` is not `B '1'`).
fn normalize(sql: &str, spans: &[std::ops::Range<usize>]) -> String {
    let mut out = String::new();
    let mut prev: Option<&std::ops::Range<usize>> = None;
    for span in spans {
        if let Some(p) = prev {
            let (left, right) = (&sql[p.clone()], &sql[span.clone()]);
            if p.end < span.start && !free_spacing(left) && !free_spacing(right) {
                // 'a'<newline>'b' is one constant 'ab' to PostgreSQL; on one
                // line it is a syntax error.
                let continued = sql[p.end..span.start].contains('\n')
                    && left.ends_with('\'')
                    && right.starts_with('\'');
                out.push(if continued { '\n' } else { ' ' });
            }
        }
        out.push_str(&sql[span.clone()]);
        prev = Some(span);
    }
    out
}

/// Whether spacing around this piece is free: brackets and commas are
/// tokens of their own to PostgreSQL, and an operator's characters are read
/// as far as they go, which the lexer has already done.
fn free_spacing(piece: &str) -> bool {
    matches!(piece, "(" | ")" | "[" | "]" | ",")
        || (piece != "&" && piece.starts_with(crate::lexer::starts_operator))
}

/// Whether the text before the first statement holds the no-transaction
/// marker as a line comment of its own.
fn has_marker(head: &str) -> bool {
    head.lines().any(|line| {
        line.trim()
            .strip_prefix("--")
            .is_some_and(|rest| rest.trim() == NO_TRANSACTION_MARKER)
    })
}

/// The transaction-control word a statement starts with, if it is one
/// (`END` is not counted: it also closes a `BEGIN ATOMIC` body, which the
/// splitter cuts at its inner `;`).
fn transaction_control(normalized: &str) -> Option<String> {
    let mut words = normalized.split([' ', '\n']);
    let first = words.next()?.to_ascii_uppercase();
    let second = words.next().map(str::to_ascii_uppercase);
    match (first.as_str(), second.as_deref()) {
        ("BEGIN" | "COMMIT" | "ABORT", _) => Some(first),
        ("ROLLBACK", Some("TO")) => None,
        ("ROLLBACK", _) => Some(first),
        ("START", Some("TRANSACTION")) => Some("START TRANSACTION".to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(sql: &str) -> Vec<String> {
        statements(sql)
            .unwrap()
            .into_iter()
            .map(|s| s.normalized)
            .collect()
    }

    #[test]
    fn comments_and_whitespace_do_not_count() {
        let a = "-- users\nCREATE TABLE users (\n    id bigint PRIMARY KEY, -- the key\n    name text\n);\n\nINSERT INTO users VALUES (1, 'a  b');\n";
        let b = "/* reformatted */ CREATE   TABLE users (id bigint PRIMARY KEY,\n\tname text);INSERT INTO users\n  VALUES (1, 'a  b')";
        assert_eq!(normalized(a), normalized(b));
        assert_eq!(
            normalized(a),
            [
                "CREATE TABLE users(id bigint PRIMARY KEY,name text)",
                "INSERT INTO users VALUES(1,'a  b')",
            ]
        );
        assert_eq!(
            normalized("SELECT a+b ,c FROM t WHERE x = -1"),
            normalized("SELECT a + b, c FROM t WHERE x=- 1")
        );
    }

    #[test]
    fn what_a_statement_does_counts() {
        let base = normalized("INSERT INTO t VALUES ('a  b')");
        for changed in [
            "INSERT INTO t VALUES ('a b')",
            "INSERT INTO t VALUES ('a  c')",
            "insert into t values ('a  b')",
            "INSERT INTO t2 VALUES ('a  b')",
            "INSERT INTO \"t\" VALUES ('a  b')",
        ] {
            assert_ne!(normalized(changed), base, "{changed}");
        }
        // Inside a dollar-quoted body every character counts.
        assert_ne!(
            normalized("DO $$ BEGIN -- x\n END $$"),
            normalized("DO $$ BEGIN -- y\n END $$")
        );
        // Adjacent pieces stay adjacent: `a+b` is not `a + b` by text, and
        // `1.5` is not `1 . 5`.
        assert_eq!(normalized("SELECT 1.5"), ["SELECT 1.5"]);
        assert_ne!(normalized("SELECT 1.5"), normalized("SELECT 1 . 5"));
        assert_ne!(normalized("SELECT B'1'"), normalized("SELECT B '1'"));
        assert_ne!(normalized("SELECT U&'x'"), normalized("SELECT U & 'x'"));
        assert_ne!(normalized("SELECT x::int"), normalized("SELECT x: :int"));
    }

    #[test]
    fn string_continuation_keeps_its_line_break() {
        assert_eq!(normalized("SELECT 'a'\n  'b'"), ["SELECT 'a'\n'b'"]);
        assert_ne!(normalized("SELECT 'a'\n'b'"), normalized("SELECT 'a' 'b'"));
    }

    #[test]
    fn statements_have_lines_and_ranges() {
        let sql = "-- head\n\nCREATE TABLE a (x int);\n  SELECT ';' ; ;\nSELECT 2";
        let s = statements(sql).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].line, &sql[s[0].start..s[0].end]),
            (3, "CREATE TABLE a (x int)")
        );
        assert_eq!((s[1].line, &sql[s[1].start..s[1].end]), (4, "SELECT ';'"));
        assert_eq!((s[2].line, &sql[s[2].start..s[2].end]), (5, "SELECT 2"));
        assert_eq!(statements("SELECT 'x").unwrap_err().0, 1);
        assert!(statements("-- only a comment\n").unwrap().is_empty());
    }

    #[test]
    fn versions_and_names_of_each_layout() {
        type Case = (Layout, &'static str, Result<(i64, &'static str), ()>);
        let cases: &[Case] = &[
            (
                Layout::Sqlx,
                "m/20240101120000_create_users.sql",
                Ok((20240101120000, "create_users")),
            ),
            (Layout::Sqlx, "m/3_add.up.sql", Ok((3, "add"))),
            (
                Layout::Refinery,
                "m/V12__init_schema.sql",
                Ok((12, "init_schema")),
            ),
            (
                Layout::Diesel,
                "m/2023-01-02-030405_users/up.sql",
                Ok((20230102030405, "users")),
            ),
            (
                Layout::Diesel,
                "m/00000000000000_diesel_initial_setup/up.sql",
                Ok((0, "diesel_initial_setup")),
            ),
            (Layout::Diesel, "m/20230102/up.sql", Ok((20230102, ""))),
            (
                Layout::Prisma,
                "m/20230512085413_schema_redesign/migration.sql",
                Ok((20230512085413, "schema_redesign")),
            ),
            (Layout::Diesel, "m/2023a_x/up.sql", Err(())),
            (Layout::Sqlx, "m/99999999999999999999_big.sql", Err(())),
        ];
        for (layout, path, want) in cases {
            let got = version_and_name(*layout, Path::new(path));
            match want {
                Ok((v, n)) => assert_eq!(got, Ok((*v, n.to_string())), "{path}"),
                Err(()) => assert!(got.is_err(), "{path}: {got:?}"),
            }
        }
    }

    #[test]
    fn no_transaction_marker_and_transaction_control() {
        let f = Path::new("m/1_x.sql");
        let m = read_migration(
            Layout::Sqlx,
            f,
            "-- secure-pg: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);",
        )
        .unwrap();
        assert!(m.no_transaction);
        // After the first statement it is only a comment.
        let m =
            read_migration(Layout::Sqlx, f, "SELECT 1;\n-- secure-pg: no-transaction\n").unwrap();
        assert!(!m.no_transaction);
        for sql in [
            "BEGIN; CREATE TABLE t (a int); COMMIT;",
            "CREATE TABLE t (a int);\ncommit;",
            "START TRANSACTION; SELECT 1",
            "SELECT 1; ROLLBACK",
        ] {
            let e = read_migration(Layout::Sqlx, f, sql).unwrap_err();
            assert!(e.message.contains("runs in a transaction"), "{sql}: {e}");
        }
        read_migration(Layout::Sqlx, f, "SAVEPOINT a; SELECT 1; ROLLBACK TO a").unwrap();
        read_migration(
            Layout::Sqlx,
            f,
            "-- secure-pg: no-transaction\nBEGIN; SELECT 1; COMMIT;",
        )
        .unwrap();
    }

    #[test]
    fn a_schema_file_is_not_a_history() {
        let e = read_history(&Source::File(PathBuf::from("schema.sql"))).unwrap_err();
        assert!(e.message.contains("not a migration history"), "{e}");
    }
}

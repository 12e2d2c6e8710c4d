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
//! **Transactions** ([`TransactionMode`]). Each migration runs in a
//! transaction of its own, together with its ledger row, unless:
//! - its file starts with the line `-- secure-pg: no-transaction` (before
//!   its first statement), or it is a diesel migration whose
//!   `metadata.toml` says `run_in_transaction = false`: then each statement
//!   is sent on its own, outside a transaction, as `CREATE INDEX
//!   CONCURRENTLY` needs;
//! - it controls transactions itself (`BEGIN`, `COMMIT`, ... as sqlx and
//!   Prisma users write them). A file that is exactly one `BEGIN; ...
//!   COMMIT;` block runs its body in the runner's transaction, so its
//!   ledger row still commits with it; any other use runs as written, the
//!   way sqlx runs it.

use std::path::{Path, PathBuf};

use crate::lexer::significant_spans;
use crate::schema::{Layout, SchemaError, Source};

/// The line that makes a migration run outside a transaction, statement by
/// statement, when it stands before the file's first statement.
pub const NO_TRANSACTION_MARKER: &str = "secure-pg: no-transaction";

/// How a migration's statements meet transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionMode {
    /// In the runner's transaction, with the migration's ledger row: a
    /// failure leaves neither. The default.
    PerMigration,
    /// The file is one `BEGIN; ... COMMIT;` block (bare `BEGIN` or `START
    /// TRANSACTION` first, bare `COMMIT` last, no other transaction
    /// control): its body runs as [`PerMigration`](Self::PerMigration)
    /// does, without the file's own `BEGIN` and `COMMIT`, which would say
    /// the same.
    Block,
    /// Statement by statement outside a transaction: the file starts with
    /// [`NO_TRANSACTION_MARKER`], or diesel's `metadata.toml` says
    /// `run_in_transaction = false`.
    None,
    /// The file controls transactions otherwise (a block with statements
    /// around it, several blocks, `ROLLBACK`, isolation levels): it is sent
    /// as written inside the runner's `BEGIN` ... `COMMIT`, as sqlx sends
    /// it. What the file's own `COMMIT` commits stays applied when a later
    /// statement fails, and the ledger row is written after the file.
    AsWritten,
}

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
    /// How it meets transactions.
    pub transaction: TransactionMode,
    /// diesel's `metadata.toml` beside it, when there is one (read for
    /// `run_in_transaction`; a build that embeds the migration must track
    /// it too).
    pub metadata: Option<PathBuf>,
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
        let metadata = match layout {
            Layout::Diesel => diesel_metadata(file)?,
            _ => None,
        };
        let outside = metadata
            .as_ref()
            .is_some_and(|(_, in_transaction)| !in_transaction);
        let mut m = read(layout, file, &text, outside)?;
        m.metadata = metadata.map(|(path, _)| path);
        out.push(m);
    }
    if layout == Layout::Prisma {
        number_prisma_twins(&mut out);
    }
    for (i, m) in out.iter().enumerate() {
        if let Some(prev) = out[..i].iter().find(|p| p.version == m.version) {
            return Err(error(
                &m.file,
                0,
                format!(
                    "two migrations have version {} (the other is {})",
                    m.version,
                    prev.file.display()
                ),
                None,
            ));
        }
    }
    Ok(out)
}

/// Prisma names a migration by its whole directory name, so two may share
/// a timestamp (trigger.dev's history has such a pair); it applies them in
/// the order of their names, as they are listed here. The ledger keys a
/// migration by a number, so the second of a pair takes the timestamp plus
/// one, the third plus two, and so on: stable while later migrations get
/// later timestamps. A number taken this way that another migration has is
/// an error, not a guess.
fn number_prisma_twins(history: &mut [Migration]) {
    let mut previous: Option<(i64, i64)> = None; // (timestamp, number given)
    for m in history.iter_mut() {
        let timestamp = m.version;
        if let Some((t, given)) = previous {
            if t == timestamp {
                m.version = given + 1;
            }
        }
        previous = Some((timestamp, m.version));
    }
}

/// One migration file of `layout`: its version and name from its path, its
/// statements from `text`.
pub fn read_migration(layout: Layout, file: &Path, text: &str) -> Result<Migration, SchemaError> {
    read(layout, file, text, false)
}

/// [`read_migration`], `outside` a transaction when diesel's metadata says
/// so.
fn read(layout: Layout, file: &Path, text: &str, outside: bool) -> Result<Migration, SchemaError> {
    let (version, name) =
        version_and_name(layout, file).map_err(|message| error(file, 0, message, None))?;
    let statements = statements(text).map_err(|(line, m)| error(file, line, m, None))?;
    let first = statements.first().map_or(text.len(), |s| s.start);
    let transaction = if outside || has_marker(&text[..first]) {
        TransactionMode::None
    } else if let Some((s, what)) = statements
        .iter()
        .find_map(|s| outside_transactions_only(&s.normalized).map(|w| (s, w)))
    {
        // PostgreSQL refuses it in any transaction block, so it can only
        // run on its own: alone in its file it does (as psql, Prisma and a
        // single simple query run it); beside other statements the run
        // would fail, so the build does.
        if statements.len() > 1 {
            return Err(error(
                file,
                s.line,
                format!(
                    "`{what}` cannot run inside a transaction, and this migration's statements \
                     run in one"
                ),
                Some(
                    "move it into a migration of its own (a migration of one such statement \
                     runs outside a transaction), or start this file with the line \
                     `-- secure-pg: no-transaction` to run each statement on its own",
                ),
            ));
        }
        TransactionMode::None
    } else {
        own_transaction_control(&statements)
    };
    if transaction == TransactionMode::None {
        if let Some(open) = unclosed_begin(&statements) {
            return Err(error(
                file,
                open.line,
                "this migration runs outside a transaction, statement by statement, and the \
                 transaction its `BEGIN` opens is never ended: the runner's ledger row would be \
                 written inside it and rolled back with the session"
                    .to_string(),
                Some("end the transaction with `COMMIT`"),
            ));
        }
    }
    Ok(Migration {
        version,
        name,
        file: file.to_path_buf(),
        transaction,
        metadata: None,
        statements,
    })
}

/// The statement's kind when PostgreSQL runs it only outside a
/// transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, ...): the
/// commands whose documentation says they cannot be executed inside a
/// transaction block.
fn outside_transactions_only(normalized: &str) -> Option<&'static str> {
    let words = command_words(normalized);
    let w = |i: usize| words.get(i).map_or("", String::as_str);
    let has = |word: &str| words.iter().any(|x| x == word);
    match (w(0), w(1)) {
        ("CREATE", "INDEX") if w(2) == "CONCURRENTLY" => Some("CREATE INDEX CONCURRENTLY"),
        ("CREATE", "UNIQUE") if w(2) == "INDEX" && w(3) == "CONCURRENTLY" => {
            Some("CREATE INDEX CONCURRENTLY")
        }
        ("DROP", "INDEX") if w(2) == "CONCURRENTLY" => Some("DROP INDEX CONCURRENTLY"),
        ("REINDEX", "DATABASE" | "SYSTEM" | "SCHEMA") => Some("REINDEX DATABASE, SCHEMA or SYSTEM"),
        ("REINDEX", _) if has("CONCURRENTLY") => Some("REINDEX CONCURRENTLY"),
        ("ALTER", "TABLE") if has("DETACH") && has("CONCURRENTLY") => {
            Some("DETACH PARTITION CONCURRENTLY")
        }
        ("ALTER", "DATABASE") if has("TABLESPACE") && has("SET") => {
            Some("ALTER DATABASE SET TABLESPACE")
        }
        ("VACUUM", _) => Some("VACUUM"),
        // CLUSTER of every clustered table (no table named).
        ("CLUSTER", "" | "VERBOSE") if words.len() <= 2 => Some("CLUSTER"),
        ("CREATE" | "DROP", "DATABASE") => Some("CREATE DATABASE"),
        ("CREATE" | "DROP", "TABLESPACE") => Some("CREATE TABLESPACE"),
        ("CREATE" | "DROP", "SUBSCRIPTION") => Some("CREATE SUBSCRIPTION"),
        ("ALTER", "SYSTEM") => Some("ALTER SYSTEM"),
        ("DISCARD", "ALL") => Some("DISCARD ALL"),
        _ => None,
    }
}

/// The first words of a statement, upper-cased, with parenthesised lists
/// (`REINDEX (VERBOSE) DATABASE`, `VACUUM (ANALYZE) t`) and quoted text left
/// out.
fn command_words(normalized: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut depth, mut quote) = (0usize, None::<char>);
    for c in normalized.chars() {
        let in_word = quote.is_none() && depth == 0 && (c.is_alphanumeric() || c == '_');
        if in_word {
            word.push(c.to_ascii_uppercase());
            continue;
        }
        if !word.is_empty() {
            words.push(std::mem::take(&mut word));
            if words.len() == 64 {
                return words;
            }
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The `BEGIN` (or `START TRANSACTION`) whose transaction is still open
/// after the last statement, if any.
fn unclosed_begin(statements: &[Statement]) -> Option<&Statement> {
    let mut open = None;
    for s in statements {
        match transaction_control(&s.normalized).as_deref() {
            Some("BEGIN" | "START TRANSACTION") => open = Some(s),
            Some(_) => open = None,
            // `END` ends a transaction too (and a `BEGIN ATOMIC` body,
            // which opens none).
            None if s.normalized.eq_ignore_ascii_case("END") => open = None,
            None => {}
        }
    }
    open
}

/// Whether (and how) a migration controls transactions itself.
fn own_transaction_control(statements: &[Statement]) -> TransactionMode {
    let controls: Vec<usize> = statements
        .iter()
        .enumerate()
        .filter(|(_, s)| transaction_control(&s.normalized).is_some())
        .map(|(i, _)| i)
        .collect();
    if controls.is_empty() {
        return TransactionMode::PerMigration;
    }
    let last = statements.len() - 1;
    let bare = |i: usize, words: &[&str]| {
        words
            .iter()
            .any(|w| statements[i].normalized.eq_ignore_ascii_case(w))
    };
    if controls == [0, last]
        && bare(
            0,
            &[
                "BEGIN",
                "BEGIN WORK",
                "BEGIN TRANSACTION",
                "START TRANSACTION",
            ],
        )
        && bare(last, &["COMMIT", "COMMIT WORK", "COMMIT TRANSACTION"])
    {
        TransactionMode::Block
    } else {
        TransactionMode::AsWritten
    }
}

/// Reads diesel's `metadata.toml` beside a migration, when there is one:
/// its path, and whether the migration runs in a transaction
/// (`run_in_transaction = false` runs it outside one, as diesel does).
/// Other keys are diesel's or the project's own and are left alone; a
/// `run_in_transaction` that is not `true` or `false` is an error, not a
/// guess.
fn diesel_metadata(up: &Path) -> Result<Option<(PathBuf, bool)>, SchemaError> {
    let Some(path) = up.parent().map(|d| d.join("metadata.toml")) else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(error(
                &path,
                0,
                format!("cannot read diesel's metadata: {e}"),
                None,
            ))
        }
    };
    let doc = toml::de::DeTable::parse(text.trim_start_matches('\u{feff}')).map_err(|e| {
        error(
            &path,
            0,
            format!("diesel's metadata is not valid TOML: {}", e.message()),
            None,
        )
    })?;
    let value = doc
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "run_in_transaction")
        .map(|(_, v)| v.get_ref());
    let in_transaction =
        match value {
            None => true,
            Some(toml::de::DeValue::Boolean(b)) => *b,
            Some(_) => return Err(error(
                &path,
                0,
                "`run_in_transaction` must be `true` or `false`".to_string(),
                Some(
                    "write `run_in_transaction = false` to run the migration outside a transaction",
                ),
            )),
        };
    Ok(Some((path, in_transaction)))
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
            diesel_version_and_name(&dir)
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

/// A diesel (or Prisma) directory's version and name. diesel's version is
/// the name's part before the first `_` without its dashes (its order is
/// the order of those strings, which is the order the directories are
/// listed in); the ledger's number is that version's leading digits, and
/// whatever of the part is not digits and dashes joins the name
/// (`2023-05-23-1715-update-x` is version 202305231715, name `update-x`).
fn diesel_version_and_name(dir: &str) -> (String, String) {
    let (head, tail) = dir.split_once('_').unwrap_or((dir, ""));
    let prefix = head
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'-')
        .count();
    let digits = head[..prefix].replace('-', "");
    let rest = head[prefix..].trim_start_matches('-');
    let name = match (rest.is_empty(), tail.is_empty()) {
        (true, _) => tail.to_string(),
        (false, true) => rest.to_string(),
        (false, false) => format!("{rest}_{tail}"),
    };
    (digits, name)
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
            // graph-node's: no `_`, so diesel's version is the whole name
            // without dashes; its number is the leading digits.
            (
                Layout::Diesel,
                "m/2023-05-23-1715-update-assignment/up.sql",
                Ok((202305231715, "update-assignment")),
            ),
            (
                Layout::Diesel,
                "m/2025-11-11-140459-0000_refactor/up.sql",
                Ok((202511111404590000, "refactor")),
            ),
            (Layout::Diesel, "m/2023a_x/up.sql", Ok((2023, "a_x"))),
            (Layout::Diesel, "m/abc_x/up.sql", Err(())),
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
        let mode = |sql: &str| read_migration(Layout::Sqlx, f, sql).unwrap().transaction;
        assert_eq!(
            mode("-- secure-pg: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);"),
            TransactionMode::None
        );
        // After the first statement it is only a comment.
        assert_eq!(
            mode("SELECT 1;\n-- secure-pg: no-transaction\n"),
            TransactionMode::PerMigration
        );
        assert_eq!(
            mode("-- secure-pg: no-transaction\nBEGIN; SELECT 1; COMMIT;"),
            TransactionMode::None
        );
        // One block around the whole file (zero2prod's migrations).
        for sql in [
            "-- wrapped\nBEGIN;\n  UPDATE t SET a = 1;\n  ALTER TABLE t ALTER a SET NOT NULL;\nCOMMIT;",
            "start transaction; SELECT 1; commit work;",
            "BEGIN; COMMIT;",
        ] {
            assert_eq!(mode(sql), TransactionMode::Block, "{sql}");
        }
        // Anything else runs as written: statements around a block
        // (Prisma's enum changes), ROLLBACK, END, isolation levels, two
        // blocks, an unclosed BEGIN.
        for sql in [
            "DROP INDEX a; BEGIN; CREATE TYPE e AS ENUM ('x'); COMMIT; CREATE INDEX b ON t (a);",
            "BEGIN; SELECT 1; ROLLBACK",
            "BEGIN; SELECT 1; END",
            "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT 1; COMMIT",
            "BEGIN; SELECT 1; COMMIT; BEGIN; SELECT 2; COMMIT",
            "BEGIN; SELECT 1",
            "SELECT 1; COMMIT",
            "ABORT",
        ] {
            assert_eq!(mode(sql), TransactionMode::AsWritten, "{sql}");
        }
        // Savepoints are not transaction control, and a function body's
        // `BEGIN ATOMIC ... END` is not either.
        assert_eq!(
            mode("SAVEPOINT a; SELECT 1; ROLLBACK TO a"),
            TransactionMode::PerMigration
        );
        assert_eq!(
            mode("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"),
            TransactionMode::PerMigration
        );
    }

    #[test]
    fn what_runs_only_outside_a_transaction_runs_alone() {
        let f = Path::new("m/1_x.sql");
        let mode = |sql: &str| read_migration(Layout::Sqlx, f, sql).map(|m| m.transaction);
        // Alone in its file (trigger.dev's Prisma migrations): outside a
        // transaction, as Prisma and psql run it.
        for sql in [
            "-- CreateIndex\nCREATE INDEX CONCURRENTLY IF NOT EXISTS \"i\" ON \"T\" (\"a\");",
            "create unique index concurrently i on t(a)",
            "DROP INDEX CONCURRENTLY IF EXISTS i",
            "REINDEX (VERBOSE) INDEX CONCURRENTLY i",
            "VACUUM ANALYZE t",
            "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
        ] {
            assert_eq!(mode(sql).unwrap(), TransactionMode::None, "{sql}");
        }
        // Beside other statements it would fail in the run's transaction:
        // the build fails instead, naming the line.
        let e = mode("CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.message
                .contains("`CREATE INDEX CONCURRENTLY` cannot run inside a transaction"),
            "{e}"
        );
        assert!(e.help.unwrap().contains("-- secure-pg: no-transaction"));
        // The marker makes it run statement by statement.
        assert_eq!(
            mode("-- secure-pg: no-transaction\nCREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY i ON t (a);")
                .unwrap(),
            TransactionMode::None
        );
        for sql in [
            "REINDEX (VERBOSE) DATABASE app",
            "REINDEX SCHEMA public",
            "CLUSTER",
            "CLUSTER VERBOSE",
            "DISCARD ALL",
            "ALTER DATABASE app SET TABLESPACE fast",
            "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
            "vacuum (analyze, verbose) t",
        ] {
            assert_eq!(mode(sql).unwrap(), TransactionMode::None, "{sql}");
        }
        // Words alike are not the statement.
        for sql in [
            "CREATE INDEX concurrently_idx ON t (a)",
            "CREATE TABLE vacuum (a int)",
            "COMMENT ON INDEX i IS 'built CONCURRENTLY'",
            "CLUSTER t USING t_pkey",
            "REINDEX TABLE t",
            "CREATE INDEX i ON t (a) WHERE note = 'CONCURRENTLY'",
            "ALTER DATABASE app SET search_path = public",
        ] {
            assert_eq!(mode(sql).unwrap(), TransactionMode::PerMigration, "{sql}");
        }
    }

    #[test]
    fn a_transaction_opened_outside_one_must_end() {
        let f = Path::new("m/1_x.sql");
        let e = read_migration(
            Layout::Sqlx,
            f,
            "-- secure-pg: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\nBEGIN;\nUPDATE t SET a = 1;\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("is never ended"), "{e}");
        for sql in [
            "-- secure-pg: no-transaction\nBEGIN; SELECT 1; COMMIT;",
            "-- secure-pg: no-transaction\nBEGIN; SELECT 1; END;",
            "-- secure-pg: no-transaction\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
        ] {
            read_migration(Layout::Sqlx, f, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        // A one-block file with a function body keeps the body's `END`.
        let m = read_migration(
            Layout::Sqlx,
            f,
            "BEGIN;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOMMIT;",
        )
        .unwrap();
        assert_eq!(m.transaction, TransactionMode::Block);
        assert_eq!(m.statements.len(), 4);
        assert_eq!(m.statements[2].normalized, "END");
    }

    #[test]
    fn diesel_metadata_turns_the_transaction_off() {
        let root =
            std::env::temp_dir().join(format!("secure-pg-diesel-meta-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let write = |dir: &str, up: &str, meta: Option<&str>| {
            let d = root.join(dir);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("up.sql"), up).unwrap();
            if let Some(meta) = meta {
                std::fs::write(d.join("metadata.toml"), meta).unwrap();
            }
        };
        write("2024-01-01-000000_plain", "CREATE TABLE t (a int);", None);
        write(
            "2024-01-02-000000_concurrently",
            // Two such statements: without the metadata, a build error.
            "DROP INDEX CONCURRENTLY IF EXISTS i;\nDROP INDEX CONCURRENTLY IF EXISTS i2;",
            Some("run_in_transaction = false\n"),
        );
        write(
            "2024-01-03-000000_explicit",
            "SELECT 1;",
            Some("# keep\nrun_in_transaction = true # yes\n[other]\nx = 1\n"),
        );
        // TOML as TOML reads it: a quoted key, a byte-order mark.
        write(
            "2024-01-02-100000_quoted",
            "DROP INDEX CONCURRENTLY IF EXISTS j;\nDROP INDEX CONCURRENTLY IF EXISTS j2;",
            Some("\u{feff}'run_in_transaction' = false\n"),
        );
        let mut probed = Vec::new();
        let source = crate::schema::locate::migrations(&root, &mut probed).unwrap();
        let history = read_history(&source).unwrap();
        let modes: Vec<_> = history
            .iter()
            .map(|m| (m.name.as_str(), m.transaction, m.metadata.is_some()))
            .collect();
        assert_eq!(
            modes,
            [
                ("plain", TransactionMode::PerMigration, false),
                ("concurrently", TransactionMode::None, true),
                ("quoted", TransactionMode::None, true),
                ("explicit", TransactionMode::PerMigration, true),
            ]
        );
        write(
            "2024-01-04-000000_bad",
            "SELECT 1;",
            Some("run_in_transaction = \"no\"\n"),
        );
        let source = crate::schema::locate::migrations(&root, &mut probed).unwrap();
        let e = read_history(&source).unwrap_err();
        assert!(e.file.ends_with("metadata.toml"), "{e}");
        assert!(e.message.contains("must be `true` or `false`"), "{e}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn prisma_twins_get_numbers_of_their_own() {
        let root =
            std::env::temp_dir().join(format!("secure-pg-prisma-twins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let write = |dir: &str| {
            let d = root.join(dir);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("migration.sql"), "SELECT 1;").unwrap();
        };
        for dir in [
            "20260630120000_drop_keys",
            "20260630120000_add_filter",
            "20260101000000_first",
            "20260701000000_later",
        ] {
            write(dir);
        }
        let history = || {
            let mut probed = Vec::new();
            read_history(&crate::schema::locate::migrations(&root, &mut probed).unwrap())
        };
        let versions: Vec<_> = history()
            .unwrap()
            .into_iter()
            .map(|m| (m.version, m.name))
            .collect();
        assert_eq!(
            versions,
            [
                (20260101000000, "first".to_string()),
                (20260630120000, "add_filter".to_string()),
                (20260630120001, "drop_keys".to_string()),
                (20260701000000, "later".to_string()),
            ]
        );
        // A number a twin would take that another migration has is refused.
        write("20260630120001_taken");
        let e = history().unwrap_err();
        assert!(
            e.message
                .contains("two migrations have version 20260630120001"),
            "{e}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_schema_file_is_not_a_history() {
        let e = read_history(&Source::File(PathBuf::from("schema.sql"))).unwrap_err();
        assert!(e.message.contains("not a migration history"), "{e}");
    }
}

//! The migrations on disk as a [`Migrator`]: found as the schema checks
//! find them, read and split by `secure_pg_sql::migrate` (the code
//! `migrate!()` runs at build time), so that the command line applies,
//! and checksums, exactly what a build would embed.

use std::fmt::Write as _;
use std::path::Path;

use secure_pg::migrate::{MigrationInfo, Migrator, State};
use secure_pg_sql::migrate::TransactionMode;
use secure_pg_sql::schema::locate::{locate_history, migrations, workspace_root};

use crate::Failure;

/// The migrations of `source`, or, without one, those the schema checks of
/// the crate at `cwd` read. Their text and statements are kept for the
/// life of the process (a command line runs once).
pub fn migrator_from_dir(cwd: &Path, source: Option<&Path>) -> Result<Migrator, Failure> {
    let workspace = workspace_root(cwd);
    let located = match source {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Failure::usage(format!(
                    "--source {}: there is no such directory",
                    dir.display()
                )));
            }
            let mut probed = Vec::new();
            migrations(dir, &mut probed).map_err(|e| Failure::failed(e.to_string()))?
        }
        None => locate_history(cwd, workspace.as_deref())
            .map_err(|e| Failure::failed(e.to_string()))?
            .source
            .ok_or_else(|| {
                Failure::usage(
                    "no migrations found: there is no `migrations/` directory here or at the \
                     workspace root, and no `path` in `[package.metadata.secure-pg]`; run in \
                     the crate's directory, or pass --source DIR",
                )
            })?,
    };
    let history = secure_pg_sql::migrate::read_history(&located)
        .map_err(|e| Failure::failed(e.to_string()))?;
    let shown_root = workspace.as_deref().unwrap_or(cwd);
    let mut built = Vec::with_capacity(history.len());
    for m in history {
        let sql = std::fs::read_to_string(&m.file)
            .map_err(|e| Failure::failed(format!("{}: cannot be read: {e}", m.file.display())))?;
        let shown = m.shown_file(shown_root);
        let statements: Vec<_> = m
            .statements
            .iter()
            .map(|s| {
                secure_pg::__private::migration_statement(
                    u32::try_from(s.line).unwrap_or(u32::MAX),
                    s.start,
                    s.end,
                    leak(s.normalized.clone()),
                )
            })
            .collect();
        built.push(secure_pg::__private::migration_from_macro(
            m.version,
            leak(m.name),
            leak(shown),
            leak(sql),
            match m.transaction {
                TransactionMode::PerMigration => secure_pg::migrate::TransactionMode::PerMigration,
                TransactionMode::Block => secure_pg::migrate::TransactionMode::Block,
                TransactionMode::None => secure_pg::migrate::TransactionMode::None,
                TransactionMode::AsWritten => secure_pg::migrate::TransactionMode::AsWritten,
            },
            Vec::leak(statements),
        ));
    }
    Ok(secure_pg::__private::migrator_from_macro(Vec::leak(built)))
}

fn leak(s: String) -> &'static str {
    String::leak(s)
}

/// `migrate info`'s table: version, state, name, file.
pub(crate) fn info_table(rows: &[MigrationInfo]) -> String {
    let state = |s: &State| match s {
        State::Applied {
            adopted_from: Some(tool),
        } => format!("applied (taken over from {tool:?})"),
        State::Applied { .. } => "applied".to_owned(),
        State::Pending => "pending".to_owned(),
        State::Adoptable(tool) => format!("in the {tool:?} ledger: the next run takes it over"),
        State::Changed {
            statement,
            line: Some(line),
        } => format!("CHANGED since applied: statement {statement} (line {line})"),
        State::Changed { statement, .. } => {
            format!("CHANGED since applied: statement {statement}")
        }
        State::Unknown => "applied, but not in these migrations".to_owned(),
        _ => "unknown state".to_owned(),
    };
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.version.to_string(),
                state(&r.state),
                r.name.clone(),
                r.file.unwrap_or("").to_owned(),
            ]
        })
        .collect();
    let header = ["version", "state", "name", "file"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.len());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let line = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

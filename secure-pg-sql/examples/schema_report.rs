//! What the schema loader makes of a migrations directory: how many
//! tables, views and types it models, what it leaves unknown and why.
//!
//! ```text
//! cargo run -p secure-pg-sql --example schema_report -- [--files|--catalog|--session] <migrations dir>...
//! ```
//!
//! `--files` prints the migrations in the order applied, one a line;
//! `--catalog` prints every known table and view and every unknown
//! relation, one JSON object a line (for comparing with a server);
//! `--session` prints the tables a write to which changes the session
//! (through a trigger or a column default, as the macros judge it).
//!
//! Each directory is read as the macros read it (`locate::migrations`):
//! `V<n>__name.sql` (refinery), `<n>_name.sql` and `<n>_name.up.sql` (sqlx;
//! `.down.sql` is ignored), and diesel directories (`<version>_name/up.sql`,
//! dashes in the version; files beside them are ignored), in version order. The report is the loader's
//! `Catalog::unmodelled` list, one statement a line.

use std::path::{Path, PathBuf};
use std::time::Instant;

use secure_pg_sql::schema::{locate, Catalog};

/// The up-migrations of `dir`, in the order the loader applies them
/// (`schema::locate::migrations`, the macros' own reading of a directory).
fn migrations(dir: &Path) -> Result<Vec<PathBuf>, String> {
    locate::migrations(dir, &mut Vec::new())
        .map(|source| source.files())
        .map_err(|e| e.to_string())
}

/// One JSON object a line: `{"rel": "s.n", "kind": ..., "cols": [[name,
/// type, not_null]]}`; a view's columns have no type (`null`).
fn print_catalog(c: &Catalog) {
    let q = |s: &str| format!("{s:?}");
    for t in c.tables() {
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|col| {
                format!(
                    "[{}, {}, {}]",
                    q(col.name.as_str()),
                    q(&col.ty.to_string()),
                    col.not_null
                )
            })
            .collect();
        println!(
            "{{\"rel\": {}, \"kind\": \"table\", \"cols\": [{}]}}",
            q(&format!(
                "{}.{}",
                t.name.schema.as_str(),
                t.name.name.as_str()
            )),
            cols.join(", ")
        );
    }
    for v in c.views() {
        let cols: Vec<String> = v
            .columns
            .iter()
            .map(|col| format!("[{}, null, null]", q(col.name.as_str())))
            .collect();
        println!(
            "{{\"rel\": {}, \"kind\": \"view\", \"columns_known\": {}, \"cols\": [{}]}}",
            q(&format!(
                "{}.{}",
                v.name.schema.as_str(),
                v.name.name.as_str()
            )),
            v.columns_known,
            cols.join(", ")
        );
    }
    // After a statement that named nothing identifiable, a name the
    // catalog does not have resolves as unknown.
    if let Some(u) = c.unmodelled().iter().find(|u| u.everything) {
        println!(
            "{{\"rel\": null, \"kind\": \"rest\", \"why\": {}}}",
            q(&u.statement.to_string())
        );
    }
    for (name, u) in c.unknown_relations() {
        println!(
            "{{\"rel\": {}, \"kind\": \"unknown\", \"why\": {}}}",
            q(&format!("{}.{}", name.schema.as_str(), name.name.as_str())),
            q(&u.to_string())
        );
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.first().map(String::as_str) {
        Some("--files" | "--catalog" | "--session") => Some(args.remove(0)),
        _ => None,
    };
    let dirs: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    if dirs.is_empty() {
        eprintln!("usage: schema_report <migrations dir>...");
        std::process::exit(2);
    }
    for dir in dirs {
        let files = match migrations(&dir) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", dir.display());
                continue;
            }
        };
        let mut texts = Vec::new();
        for f in &files {
            match std::fs::read_to_string(f) {
                Ok(t) => texts.push((f.clone(), t)),
                Err(e) => eprintln!("{}: cannot read: {e}", f.display()),
            }
        }
        if mode.as_deref() == Some("--files") {
            for f in &files {
                println!("{}", f.display());
            }
            continue;
        }
        let start = Instant::now();
        let c = Catalog::from_files_partial(&texts);
        let took = start.elapsed();
        if mode.as_deref() == Some("--catalog") {
            print_catalog(&c);
            continue;
        }
        if mode.as_deref() == Some("--session") {
            let tables: Vec<String> = c
                .tables()
                .map(|t| format!("{}.{}", t.name.schema.as_str(), t.name.name.as_str()))
                .collect();
            let changing: Vec<&String> = tables
                .iter()
                .filter(|t| {
                    secure_pg_sql::session::changes_session_through_schema(
                        &format!("INSERT INTO {t} DEFAULT VALUES"),
                        &c,
                    )
                })
                .collect();
            println!(
                "{}: writes to {} of {} tables change the session",
                dir.display(),
                changing.len(),
                tables.len()
            );
            for t in changing {
                println!("  {t}");
            }
            continue;
        }
        let everything = c.unmodelled().iter().filter(|u| u.everything).count();
        println!(
            "{}: {} migrations, built in {took:?}: {} tables and {} views known; {} relations and {} types unknown; {} statements not modelled ({} naming nothing identifiable)",
            dir.display(),
            files.len(),
            c.tables().count(),
            c.views().count(),
            c.unknown_relations().count(),
            c.unmodelled()
                .iter()
                .flat_map(|u| &u.objects)
                .filter(|q| c.unknown_type(q).is_some())
                .count(),
            c.unmodelled().len(),
            everything,
        );
        for u in c.unmodelled() {
            let what = if u.everything {
                "everything before it".to_string()
            } else {
                u.objects
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let reason: String = u.statement.reason.chars().take(160).collect();
            println!(
                "  {}:{} `{}`: {reason} -> {what}",
                u.statement
                    .file
                    .strip_prefix(&dir)
                    .unwrap_or(&u.statement.file)
                    .display(),
                u.statement.line,
                u.statement.kind
            );
        }
    }
}

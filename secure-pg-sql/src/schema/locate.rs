//! Where the schema is: the manifest's `[package.metadata.secure-pg]` /
//! `[workspace.metadata.secure-pg]`, `schema.sql`, or `migrations/` in one
//! of the sqlx, refinery, diesel and Prisma layouts.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::SchemaError;

/// The `secure-pg` metadata table of one manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `path = "..."`, relative to the manifest's directory.
    pub path: Option<PathBuf>,
    /// `required = true`.
    pub required: bool,
    /// `tenant_column = "..."`: the column that marks a tenant table.
    pub tenant_column: Option<String>,
    /// `tenant_scoping = "opt-in"`: queries on tenant tables outside
    /// `#[tenant_scoped]` compile without `unscoped = "reason"` (for a
    /// migration period; the runtime reports it as a posture finding).
    pub scoping_opt_in: Option<bool>,
}

/// How the crate's queries treat tenant tables, from the metadata (the
/// package's keys over the workspace's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenancy {
    /// The column that marks a tenant table (`tenant_id` by default).
    pub column: String,
    /// Every query on a tenant table must be in a `#[tenant_scoped]`
    /// function or say `unscoped = "reason"` (the default), or
    /// `tenant_scoping = "opt-in"` was set.
    pub by_default: bool,
}

impl Default for Tenancy {
    fn default() -> Self {
        Tenancy {
            column: "tenant_id".to_owned(),
            by_default: true,
        }
    }
}

impl Tenancy {
    fn from_metadata(package: &Metadata, workspace: &Metadata) -> Self {
        let default = Tenancy::default();
        Tenancy {
            column: package
                .tenant_column
                .clone()
                .or_else(|| workspace.tenant_column.clone())
                .unwrap_or(default.column),
            by_default: !package
                .scoping_opt_in
                .or(workspace.scoping_opt_in)
                .unwrap_or(false),
        }
    }
}

/// How a migrations directory is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `<version>_<name>.sql` or `<version>_<name>.up.sql` (`.down.sql`
    /// skipped), in numeric order of the version.
    Sqlx,
    /// `V<n>__<name>.sql`, in numeric order of `n`.
    Refinery,
    /// `<timestamp>_<name>/up.sql` (`down.sql` skipped), in order of the
    /// timestamp, which may have dashes (diesel's default
    /// `YYYY-MM-DD-HHMMSS_name`); files beside the directories that fit
    /// no layout are ignored, as diesel ignores them.
    Diesel,
    /// `<timestamp>_<name>/migration.sql`, in order of the directory's name
    /// (Prisma Migrate's layout; its `migration_lock.toml` and other files
    /// beside the directories are ignored, as Prisma ignores them).
    Prisma,
}

/// What was found, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// One SQL file (`schema.sql`, or a file named by the metadata).
    File(PathBuf),
    /// A migrations directory: its files in the order they apply.
    Migrations {
        /// The directory.
        dir: PathBuf,
        /// Its layout.
        layout: Layout,
        /// The files to read, in order.
        files: Vec<PathBuf>,
    },
}

impl Source {
    /// The SQL files to read, in order.
    pub fn files(&self) -> Vec<PathBuf> {
        match self {
            Source::File(f) => vec![f.clone()],
            Source::Migrations { files, .. } => files.clone(),
        }
    }
}

/// The result of looking: the source (if any) and every path whose
/// existence or contents decided it (for cache validation).
#[derive(Debug, Clone)]
pub struct Located {
    /// The schema's source; `None` when there is none.
    pub source: Option<Source>,
    /// Every manifest, file and directory looked at.
    pub probed: Vec<PathBuf>,
    /// The tenant settings of the metadata.
    pub tenancy: Tenancy,
}

fn err(file: &Path, message: impl Into<String>, help: Option<&str>) -> SchemaError {
    SchemaError {
        file: file.to_path_buf(),
        line: 0,
        message: message.into(),
        help: help.map(str::to_string),
    }
}

/// Reads the `secure-pg` metadata of the manifest in `dir` (`table` is
/// `package` or `workspace`). A missing manifest has no metadata.
pub fn read_metadata(dir: &Path, table: &str) -> Result<Metadata, SchemaError> {
    let manifest = dir.join("Cargo.toml");
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return Ok(Metadata::default());
    };
    let doc = DeTable::parse(&text)
        .map_err(|e| err(&manifest, format!("Cargo.toml does not parse: {e}"), None))?;
    let Some(meta) = get(doc.get_ref(), table)
        .and_then(|t| as_table(t))
        .and_then(|t| get(t, "metadata"))
        .and_then(|m| as_table(m))
        .and_then(|m| get(m, "secure-pg"))
    else {
        return Ok(Metadata::default());
    };
    let Some(meta) = as_table(meta) else {
        return Err(err(
            &manifest,
            format!("`[{table}.metadata.secure-pg]` must be a table"),
            None,
        ));
    };
    let mut out = Metadata::default();
    for (key, value) in meta {
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("path", DeValue::String(p)) => out.path = Some(PathBuf::from(p.as_ref())),
            ("required", DeValue::Boolean(b)) => out.required = *b,
            ("tenant_column", DeValue::String(c)) if crate::ident::is_plain_identifier(c) => {
                out.tenant_column = Some(c.to_string());
            }
            ("tenant_column", _) => {
                return Err(err(
                    &manifest,
                    "`secure-pg.tenant_column` must be a plain lowercase SQL identifier \
                     (letters, digits and `_`, not starting with a digit)",
                    None,
                ))
            }
            ("tenant_scoping", DeValue::String(v)) if v.as_ref() == "opt-in" => {
                out.scoping_opt_in = Some(true);
            }
            ("tenant_scoping", DeValue::String(v)) if v.as_ref() == "by-default" => {
                out.scoping_opt_in = Some(false);
            }
            ("tenant_scoping", _) => {
                return Err(err(
                    &manifest,
                    "`secure-pg.tenant_scoping` must be \"by-default\" (every query on a \
                     tenant table is in a #[tenant_scoped] function or says `unscoped = \
                     \"reason\"`) or \"opt-in\" (for a migration period)",
                    None,
                ))
            }
            ("path", _) => return Err(err(&manifest, "`secure-pg.path` must be a string", None)),
            ("required", _) => {
                return Err(err(
                    &manifest,
                    "`secure-pg.required` must be `true` or `false`",
                    None,
                ))
            }
            (other, _) => {
                return Err(err(
                    &manifest,
                    format!("unknown key `{other}` in `[{table}.metadata.secure-pg]`"),
                    Some(
                        "the keys are `path` (a schema file or migrations directory), `required`, \
                      `tenant_column` and `tenant_scoping`",
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// The workspace root above `crate_root`: the nearest ancestor (the crate
/// itself included) whose manifest has a `[workspace]` table. The macros
/// and the command line find the schema from it with [`locate`].
pub fn workspace_root(crate_root: &Path) -> Option<PathBuf> {
    crate_root.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        manifest
            .lines()
            .any(|l| l.trim() == "[workspace]" || l.trim().starts_with("[workspace."))
            .then(|| dir.to_path_buf())
    })
}

/// Finds the schema for the crate at `crate_root` in a workspace rooted at
/// `workspace_root` (the same directory for a single crate), in this order:
/// the metadata's `path` (package, then workspace), `schema.sql`, then
/// `migrations/` at the crate root, then both at the workspace root.
/// With `required = true` in either manifest, finding nothing is an error.
pub fn locate(crate_root: &Path, workspace_root: Option<&Path>) -> Result<Located, SchemaError> {
    search(crate_root, workspace_root, true)
}

/// The migration history of the crate at `crate_root`, for what applies
/// migrations (`migrate!()`, the command line): found as [`locate`] finds
/// the schema, but a `schema.sql` with a `migrations/` directory beside it
/// is passed over for that directory. A project that commits the snapshot `secure-pg
/// snapshot` writes has both: the checks read the snapshot, the migrator
/// the history it was made from.
pub fn locate_history(
    crate_root: &Path,
    workspace_root: Option<&Path>,
) -> Result<Located, SchemaError> {
    search(crate_root, workspace_root, false)
}

fn search(
    crate_root: &Path,
    workspace_root: Option<&Path>,
    schema_files: bool,
) -> Result<Located, SchemaError> {
    let mut probed = Vec::new();
    let package = read_metadata(crate_root, "package")?;
    probed.push(crate_root.join("Cargo.toml"));
    let workspace = match workspace_root {
        Some(w) if w != crate_root => {
            probed.push(w.join("Cargo.toml"));
            read_metadata(w, "workspace")?
        }
        _ => read_metadata(crate_root, "workspace")?,
    };
    let workspace_dir = workspace_root.unwrap_or(crate_root);
    let required = package.required || workspace.required;
    let tenancy = Tenancy::from_metadata(&package, &workspace);
    for (meta, dir, table) in [
        (&package, crate_root, "package"),
        (&workspace, workspace_dir, "workspace"),
    ] {
        if let Some(p) = &meta.path {
            let path = dir.join(p);
            probed.push(path.clone());
            let source = if path.is_dir() {
                migrations(&path, &mut probed)?
            } else if path.is_file() {
                Source::File(path)
            } else {
                return Err(err(
                    &dir.join("Cargo.toml"),
                    format!(
                        "`[{table}.metadata.secure-pg] path` names {}, which does not exist",
                        path.display()
                    ),
                    Some("point it at a schema file or a migrations directory"),
                ));
            };
            return Ok(Located {
                source: Some(source),
                probed,
                tenancy: tenancy.clone(),
            });
        }
    }
    let mut roots = vec![crate_root];
    if workspace_dir != crate_root {
        roots.push(workspace_dir);
    }
    for root in roots {
        let file = root.join("schema.sql");
        probed.push(file.clone());
        // For a history, a snapshot beside `migrations/` is passed over; a
        // lone `schema.sql` is still what is found (and refused as no
        // history, with the reason).
        if file.is_file() && (schema_files || !root.join("migrations").is_dir()) {
            return Ok(Located {
                source: Some(Source::File(file)),
                probed,
                tenancy: tenancy.clone(),
            });
        }
        let dir = root.join("migrations");
        probed.push(dir.clone());
        if dir.is_dir() {
            let source = migrations(&dir, &mut probed)?;
            return Ok(Located {
                source: Some(source),
                probed,
                tenancy: tenancy.clone(),
            });
        }
    }
    if required {
        return Err(err(
            &crate_root.join("Cargo.toml"),
            "no schema found, and `required = true` in the secure-pg metadata",
            Some("add `schema.sql` or `migrations/` at the crate or workspace root, or set `path` in `[package.metadata.secure-pg]`"),
        ));
    }
    Ok(Located {
        source: None,
        probed,
        tenancy,
    })
}

/// One recognised migration: its version, the key it sorts by, and the
/// file to apply.
struct Migration {
    version: String,
    key: String,
    file: PathBuf,
}

impl Migration {
    /// sqlx and refinery order versions as integers.
    fn numbered(version: u128, file: PathBuf) -> Migration {
        Migration {
            version: version.to_string(),
            key: format!("{version:040}"),
            file,
        }
    }
}

/// The version of a diesel migration directory's name, as diesel reads
/// it: the part before the first `_` (the whole name without one), dashes
/// dropped (diesel's default names are `YYYY-MM-DD-HHMMSS_name`). It must
/// start with a digit. diesel orders versions as strings, so this is the
/// sort key too.
fn diesel_version(name: &str) -> Option<String> {
    let head = name.split('_').next().unwrap_or(name);
    let version: String = head.chars().filter(|c| *c != '-').collect();
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(version)
}

/// The layout and version of a migration file's name, if it fits one:
/// `V<n>__name.sql` (refinery), `<n>_name.sql` or `<n>_name.up.sql` (sqlx;
/// `Some((Sqlx, None))` for a `.down.sql`, which is not applied).
fn file_version(name: &str) -> Option<(Layout, Option<u128>)> {
    if !name.ends_with(".sql") {
        return None;
    }
    if let Some((v, tail)) = name.strip_prefix('V').and_then(leading_digits) {
        if tail.starts_with("__") {
            return Some((Layout::Refinery, Some(v)));
        }
    }
    let (v, tail) = leading_digits(name)?;
    if !tail.starts_with('_') {
        return None;
    }
    if name.ends_with(".down.sql") {
        return Some((Layout::Sqlx, None));
    }
    Some((Layout::Sqlx, Some(v)))
}

/// Reads a migrations directory: every `.sql` file (and diesel directory)
/// must fit one layout; anything that does not is an error, not skipped.
/// The exception is diesel's: beside its migration directories, diesel
/// runs no file, so a file that fits no layout there is ignored (a
/// `README.md`, a data script run by hand); one that fits another layout
/// is still an error (the two layouts mixed).
pub fn migrations(dir: &Path, probed: &mut Vec<PathBuf>) -> Result<Source, SchemaError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        err(
            dir,
            format!("cannot read the migrations directory: {e}"),
            None,
        )
    })?;
    let mut found: Vec<(Layout, Migration)> = Vec::new();
    let mut names: Vec<(String, PathBuf, bool)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            err(
                dir,
                format!("cannot read the migrations directory: {e}"),
                None,
            )
        })?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        names.push((name, path.clone(), path.is_dir()));
    }
    names.sort();
    // Directories of migrations: files beside them that fit no layout are
    // not run (diesel and Prisma ignore them).
    let directories = names.iter().any(|(name, path, is_dir)| {
        *is_dir
            && diesel_version(name).is_some()
            && (path.join("up.sql").is_file() || path.join("migration.sql").is_file())
    });
    for (name, path, is_dir) in names {
        if is_dir {
            // diesel: `<timestamp>_<name>/up.sql`; Prisma:
            // `<timestamp>_<name>/migration.sql`, ordered by the name.
            let (up, prisma) = (path.join("up.sql"), path.join("migration.sql"));
            match diesel_version(&name) {
                Some(v) if up.is_file() => {
                    probed.push(path.clone());
                    found.push((
                        Layout::Diesel,
                        Migration {
                            version: v.clone(),
                            key: v,
                            file: up,
                        },
                    ));
                }
                Some(v) if prisma.is_file() => {
                    probed.push(path.clone());
                    found.push((
                        Layout::Prisma,
                        Migration {
                            version: v,
                            key: name.clone(),
                            file: prisma,
                        },
                    ));
                }
                _ => {
                    return Err(err(
                        &path,
                        "directory in migrations/ is not a diesel migration (`<timestamp>_<name>/up.sql`) or a Prisma one (`<timestamp>_<name>/migration.sql`)",
                        Some("move it out of migrations/"),
                    ))
                }
            }
            continue;
        }
        match file_version(&name) {
            Some((_, None)) => {}
            Some((layout, Some(version))) => {
                found.push((layout, Migration::numbered(version, path)))
            }
            // diesel and Prisma run no file beside their directories.
            None if directories || !name.ends_with(".sql") => {}
            None => {
                return Err(err(
                    &path,
                    "SQL file in migrations/ matches no known layout",
                    Some("name it `<version>_<name>.sql` (sqlx), `V<n>__<name>.sql` (refinery) or use `<timestamp>_<name>/up.sql` (diesel)"),
                ))
            }
        }
    }
    let Some(layout) = found.first().map(|(l, _)| *l) else {
        return Err(err(
            dir,
            "the migrations directory holds no migrations",
            Some("add migrations, or remove the empty directory"),
        ));
    };
    if let Some((other, m)) = found.iter().find(|(l, _)| *l != layout) {
        return Err(err(
            &m.file,
            format!("migrations/ mixes the {layout:?} and {other:?} layouts"),
            None,
        ));
    }
    let mut migrations: Vec<Migration> = found.into_iter().map(|(_, m)| m).collect();
    migrations.sort_by(|a, b| a.key.cmp(&b.key));
    for pair in migrations.windows(2) {
        if pair[0].key == pair[1].key {
            return Err(err(
                &pair[1].file,
                format!(
                    "two migrations have version {} (the other is {})",
                    pair[1].version,
                    pair[0].file.display()
                ),
                None,
            ));
        }
    }
    Ok(Source::Migrations {
        dir: dir.to_path_buf(),
        layout,
        files: migrations.into_iter().map(|m| m.file).collect(),
    })
}

fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a DeValue<'i>> {
    t.iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v.get_ref())
}

fn as_table<'a, 'i>(v: &'a DeValue<'i>) -> Option<&'a DeTable<'i>> {
    match v {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// The number at the start of `s` and the rest.
fn leading_digits(s: &str) -> Option<(u128, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

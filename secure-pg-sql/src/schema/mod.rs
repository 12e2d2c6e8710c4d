//! The schema the macros check queries against, read from the repository's
//! own DDL.
//!
//! [`locate()`] finds the schema (manifest metadata, `schema.sql`,
//! `migrations/` in sqlx, refinery or diesel layout, at the crate and then
//! the workspace root); [`Catalog::from_files`] turns the DDL into a
//! [`Catalog`] of tables, views, enums and domains with canonical
//! PostgreSQL types; [`load_cached`] does both once per process and reuses
//! the result while no file involved changed.
//!
//! A statement the loader cannot model never fails the load: the objects
//! it may change (the tables, views and types it names, and what depends
//! on them; every object when it names nothing identifiable) become
//! *unknown*, remembering the statement's file, line and reason
//! ([`Unmodelled`]). The type checker refuses a query that touches an
//! unknown object with that place and the fix, and checks every other
//! query as before: unknown is an error with a fix, never a guess.
//! Statements that cannot change the shape of the catalog (data
//! statements, `COMMENT`, `GRANT`, maintenance, settings, triggers,
//! non-unique indexes, storage parameters...) pass. A statement preceded by
//! a `-- secure-pg: skip` line is not applied: what it may change is left
//! unknown too. [`Catalog::from_files`] is the strict form that makes the
//! first unmodelled statement an error ([`SchemaError`]).
//!
//! Modules: [`catalog`] (the model), [`types`] (canonical type names),
//! [`functions`] (the signatures of the migrations' functions),
//! `split` (statements with lines), `ddl` (the statements' effects), `view`
//! (view columns), [`mod@locate`] (where the files are), `cache`.

mod cache;
pub mod catalog;
mod ddl;
pub mod functions;
pub mod locate;
pub(crate) mod split;
pub mod types;
mod view;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

pub use cache::load_cached;
pub use catalog::{
    Catalog, Check, Column, CompositeType, Domain, EnumType, ForeignKey, Key, Name, Policy,
    PolicyCommand, QualifiedName, Relation, Resolved, Table, Unmodelled, UnmodelledStatement,
    ValueSource, View, ViewColumn, ViewColumnSource,
};
pub use functions::{Argument, Returns, Signature};
pub use locate::{locate, Layout, Located, Source, Tenancy};
pub use split::SKIP_MARKER;
pub use types::{BaseType, Builtin, SqlType, Typmod};

/// A problem with the schema: where (file and 1-based line; line 0 for a
/// problem with the file as a whole), what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// The file.
    pub file: PathBuf,
    /// The line of the statement, or 0.
    pub line: usize,
    /// What is wrong, in lower case.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for SchemaError {
    /// `file:line: message`, then `help: ...` on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SchemaError {}

/// A catalog and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedSchema {
    /// What the DDL creates.
    pub catalog: Catalog,
    /// Where the DDL was found.
    pub source: Source,
    /// Every SQL file read, in order (the macro makes each a build
    /// dependency).
    pub files: Vec<PathBuf>,
    /// The tenant settings of the crate's metadata.
    pub tenancy: Tenancy,
}

impl Catalog {
    /// The catalog of `files` (path and contents), applied in order, with
    /// what the loader could not model left unknown (see
    /// [`Catalog::unmodelled`]). Never fails: a statement the loader cannot
    /// model only makes what it may change unknown.
    pub fn from_files_partial<P: AsRef<Path>, S: AsRef<str>>(files: &[(P, S)]) -> Catalog {
        let mut b = ddl::Builder::default();
        for (path, sql) in files {
            b.apply_file(path.as_ref(), sql.as_ref());
        }
        b.catalog
    }

    /// The catalog of `files`, every statement modelled: the first statement
    /// the loader could not model is the error (at its file and line). The
    /// strict form, for schemas that must load completely (fixtures, a
    /// `pg_dump` snapshot); the macros use [`Catalog::from_files_partial`].
    pub fn from_files<P: AsRef<Path>, S: AsRef<str>>(
        files: &[(P, S)],
    ) -> Result<Catalog, SchemaError> {
        Catalog::from_files_partial(files).complete()
    }

    /// The catalog of one SQL text, every statement modelled (see
    /// [`Catalog::from_files`]); `file` names it in errors.
    pub fn from_sql(file: impl AsRef<Path>, sql: &str) -> Result<Catalog, SchemaError> {
        Catalog::from_files(&[(file.as_ref(), sql)])
    }

    /// The catalog itself when the loader modelled every statement, else
    /// the first statement it could not model, as an error.
    pub fn complete(self) -> Result<Catalog, SchemaError> {
        match self.unmodelled.first() {
            None => Ok(self),
            Some(u) => Err(SchemaError {
                file: u.statement.file.clone(),
                line: u.statement.line,
                message: u.statement.reason.clone(),
                help: Some(format!(
                    "the `{}` statement leaves {} unknown to the schema checks",
                    u.statement.kind,
                    if u.everything {
                        "every object".to_string()
                    } else {
                        u.objects
                            .iter()
                            .map(|q| q.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )),
            }),
        }
    }
}

/// Reads `source`'s files and builds their catalog.
pub fn load_source(source: Source, tenancy: Tenancy) -> Result<LoadedSchema, SchemaError> {
    let files = source.files();
    let mut texts = Vec::with_capacity(files.len());
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| SchemaError {
            file: f.clone(),
            line: 0,
            message: format!("cannot read the schema file: {e}"),
            help: None,
        })?;
        texts.push((f.clone(), text));
    }
    let catalog = Catalog::from_files_partial(&texts);
    Ok(LoadedSchema {
        catalog,
        source,
        files,
        tenancy,
    })
}

/// Finds and loads the schema of the crate at `crate_root` (see
/// [`locate()`]), without the cache. `Ok(None)`: there is none (and it is not
/// required).
pub fn load(
    crate_root: &Path,
    workspace_root: Option<&Path>,
) -> Result<Option<LoadedSchema>, SchemaError> {
    let located = locate(crate_root, workspace_root)?;
    match located.source {
        Some(source) => load_source(source, located.tenancy).map(Some),
        None => Ok(None),
    }
}

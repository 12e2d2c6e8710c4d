//! `migrate!()`: finds the crate's migrations exactly as the schema checks
//! do (`secure_pg_sql::schema::locate`), reads them with
//! `secure_pg_sql::migrate`, and embeds each one (`include_str!`, so that
//! an edit rebuilds the crate) with its statements' checksum texts.

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use secure_pg_sql::migrate::{read_history, Migration, TransactionMode};
use secure_pg_sql::schema::locate::{locate_history, migrations};
use syn::LitStr;

use crate::schema_check::workspace_root;

/// Expands `migrate!()` / `migrate!("dir")` in the crate being compiled.
pub(crate) fn expand(input: TokenStream2) -> TokenStream2 {
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let result = match root {
        Some(root) => {
            let workspace = workspace_root(&root);
            expand_at(input, &root, workspace.as_deref())
        }
        None => Err(syn::Error::new(
            Span::call_site(),
            "migrate!() needs CARGO_MANIFEST_DIR: build the crate with cargo",
        )),
    };
    result.unwrap_or_else(syn::Error::into_compile_error)
}

/// The expansion for the crate at `crate_root`.
pub(crate) fn expand_at(
    input: TokenStream2,
    crate_root: &Path,
    workspace_root: Option<&Path>,
) -> syn::Result<TokenStream2> {
    let (history, span) = if input.is_empty() {
        let located = locate_history(crate_root, workspace_root)
            .map_err(|e| syn::Error::new(Span::call_site(), e.to_string()))?;
        let Some(source) = located.source else {
            return Err(syn::Error::new(
                Span::call_site(),
                "migrate!() found no migrations: there is no `migrations/` directory at the \
                 crate or workspace root, and no `path` in `[package.metadata.secure-pg]`\n  \
                 = help: add `migrations/` (sqlx `<version>_<name>.sql`, refinery \
                 `V<n>__<name>.sql` or diesel `<version>_<name>/up.sql`), or name the directory: \
                 `migrate!(\"path/to/migrations\")`",
            ));
        };
        (read_history(&source), Span::call_site())
    } else {
        let lit: LitStr = syn::parse2(input).map_err(|e| {
            syn::Error::new(
                e.span(),
                "migrate!() takes nothing (the migrations the schema checks read) or the \
                 migrations directory as a string literal, relative to the crate's \
                 Cargo.toml: `migrate!(\"migrations\")`",
            )
        })?;
        let dir = crate_root.join(lit.value());
        if !dir.is_dir() {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "migrate!(\"{}\"): there is no such directory next to the crate's \
                     Cargo.toml (the path is relative to it)",
                    lit.value(),
                ),
            ));
        }
        let mut probed = Vec::new();
        let history = migrations(&dir, &mut probed).and_then(|source| read_history(&source));
        (history, lit.span())
    };
    let shown_root = workspace_root.unwrap_or(crate_root);
    // Files are named as the user's tree names them, from its root.
    let history = history.map_err(|mut e| {
        if let Ok(relative) = e.file.strip_prefix(shown_root) {
            e.file = relative.to_path_buf();
        }
        syn::Error::new(span, e.to_string())
    })?;
    let items = history.iter().map(|m| migration(m, shown_root));
    Ok(quote! {
        {
            const __SECURE_PG_MIGRATIONS: &[::secure_pg::__private::Migration] = &[#(#items),*];
            ::secure_pg::__private::migrator_from_macro(__SECURE_PG_MIGRATIONS)
        }
    })
}

/// One migration's constructor call.
fn migration(m: &Migration, shown_root: &Path) -> TokenStream2 {
    let version = m.version;
    let name = &m.name;
    let shown = m.shown_file(shown_root);
    let path = m.file.to_string_lossy().into_owned();
    let transaction = match m.transaction {
        TransactionMode::PerMigration => quote!(PerMigration),
        TransactionMode::Block => quote!(Block),
        TransactionMode::None => quote!(None),
        TransactionMode::AsWritten => quote!(AsWritten),
    };
    // diesel's metadata.toml decides the transaction: tracked like the file.
    let metadata = m.metadata.as_ref().map(|p| {
        let p = p.to_string_lossy().into_owned();
        quote!(
            const _: &str = ::core::include_str!(#p);
        )
    });
    let statements = m.statements.iter().map(|s| {
        let (line, start, end) = (s.line as u32, s.start, s.end);
        let normalized = &s.normalized;
        quote!(::secure_pg::__private::migration_statement(#line, #start, #end, #normalized))
    });
    quote! {
        {
            #metadata
            ::secure_pg::__private::migration_from_macro(
                #version,
                #name,
                #shown,
                ::core::include_str!(#path),
                ::secure_pg::migrate::TransactionMode::#transaction,
                &[#(#statements),*],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str, files: &[(&str, &str)]) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("secure-pg-migrate-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        root
    }

    fn expand_in(root: &Path, input: TokenStream2) -> Result<String, String> {
        expand_at(input, root, None)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn embeds_each_migration_in_order() {
        let root = dir(
            "order",
            &[
                ("migrations/10_b.sql", "SELECT 2;"),
                (
                    "migrations/2_a.sql",
                    "-- a\nCREATE TABLE a (x int);\nSELECT 1",
                ),
            ],
        );
        let out = expand_in(&root, quote!()).unwrap();
        let a = out.find("\"migrations/2_a.sql\"").unwrap();
        let b = out.find("\"migrations/10_b.sql\"").unwrap();
        assert!(a < b, "{out}");
        assert!(out.contains("include_str !"), "{out}");
        assert!(out.contains("\"CREATE TABLE a(x int)\""), "{out}");
        assert!(out.contains("2i64"), "{out}");
        assert!(!out.contains("secure_pg_macros"), "{out}");
    }

    #[test]
    fn a_named_directory_in_any_layout() {
        let root = dir(
            "named",
            &[("db/20230102030405_users/up.sql", "CREATE TABLE u (id int);")],
        );
        let out = expand_in(&root, quote!("db")).unwrap();
        assert!(out.contains("20230102030405i64"), "{out}");
        assert!(out.contains("\"users\""), "{out}");
    }

    #[test]
    fn what_is_refused() {
        let schema = dir("schema", &[("schema.sql", "CREATE TABLE a (x int);")]);
        let e = expand_in(&schema, quote!()).unwrap_err();
        assert!(e.contains("not a migration history"), "{e}");
        let empty = dir("none", &[("src/lib.rs", "")]);
        let e = expand_in(&empty, quote!()).unwrap_err();
        assert!(e.contains("found no migrations"), "{e}");
        let e = expand_in(&empty, quote!("nowhere")).unwrap_err();
        assert!(e.contains("there is no such directory"), "{e}");
        let e = expand_in(&empty, quote!(some_const)).unwrap_err();
        assert!(e.contains("string literal"), "{e}");
    }

    #[test]
    fn a_committed_snapshot_beside_the_history_is_passed_over() {
        let root = dir(
            "snapshot",
            &[
                ("schema.sql", "CREATE TABLE a (x int);"),
                ("migrations/1_a.sql", "CREATE TABLE a (x int);"),
            ],
        );
        let out = expand_in(&root, quote!()).unwrap();
        assert!(out.contains("\"migrations/1_a.sql\""), "{out}");
        // A crate's own lone `schema.sql` is what the checks read, even
        // with `migrations/` at the workspace root: refused, not swapped
        // for another history.
        let ws = dir(
            "snapshot-ws",
            &[
                ("migrations/1_a.sql", "CREATE TABLE a (x int);"),
                ("member/schema.sql", "CREATE TABLE a (x int);"),
            ],
        );
        let e = expand_at(quote!(), &ws.join("member"), Some(&ws))
            .map(|t| t.to_string())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("schema.sql: this is a single schema file"),
            "{e}"
        );
    }

    #[test]
    fn transaction_modes_and_diesel_metadata_are_embedded() {
        let root = dir(
            "modes",
            &[
                (
                    "migrations/2024-01-01-000000_a/up.sql",
                    "BEGIN;\nSELECT 1;\nCOMMIT;",
                ),
                (
                    "migrations/2024-01-02-000000_b/up.sql",
                    "DROP INDEX CONCURRENTLY IF EXISTS i;",
                ),
                (
                    "migrations/2024-01-02-000000_b/metadata.toml",
                    "run_in_transaction = false\n",
                ),
            ],
        );
        let out = expand_in(&root, quote!()).unwrap();
        assert!(out.contains("TransactionMode :: Block"), "{out}");
        assert!(out.contains("TransactionMode :: None"), "{out}");
        assert!(out.contains("metadata.toml"), "{out}");
    }
}

// Rule: the standard library's macros (bare or under `std::` / `core::`),
// and tracing's, run no query and may be used in a `#[tenant_scoped]`
// function; queries stay outside them.
use std::fmt::Write as _;

use secure_pg::{secure_query_as, tenant_scoped, Error, Pool, TenantId};

#[tenant_scoped]
async fn report(pool: &Pool, tenant: TenantId, verbose: bool) -> Result<String, Error> {
    let rows = secure_query_as!((i64, String), "SELECT id, name FROM widgets ORDER BY id")
        .fetch_all(pool)
        .await?;
    tracing::info!(rows = rows.len(), "widgets read");
    let _span = tracing::debug_span!("report").entered();
    debug_assert!(rows.len() < 1_000_000);
    assert_eq!(rows.len(), rows.iter().len(), "{}", line!());
    let mut out = format!("{} widgets in {}\n", rows.len(), module_path!());
    for (id, name) in &rows {
        writeln!(out, "{id}: {name}").unwrap();
    }
    if verbose && matches!(rows.first(), Some((1, _))) {
        std::println!("{}", stringify!(verbose));
        eprintln!("{out}");
    }
    let ids: Vec<i64> = vec![0; 0];
    if cfg!(debug_assertions) && !ids.is_empty() {
        unreachable!("{}", concat!("no ", "ids"));
    }
    Ok(out)
}

pub(crate) fn main() {
    let _ = report;
}

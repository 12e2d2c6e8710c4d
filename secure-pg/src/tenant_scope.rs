//! The run-time half of `#[tenant_scoped]`: a task-local tenant scope that
//! unscoped queries cannot enter.
//!
//! The attribute runs the body of an `async fn` inside [`tenant_scope`] and
//! marks every query it rewrote (an `unscoped = "reason"` query marks
//! itself). While the scope is active, [`check`] refuses every query that
//! carries no mark: one run by an unannotated helper the function calls, or
//! one produced by a macro the attribute could not see through. Nothing is
//! sent to the server for a refused query.
//!
//! The scope is a `tokio::task_local!`: it covers everything the function
//! awaits on its own task, including nested calls, and ends when the
//! function returns. Work moved to another task (`tokio::spawn`,
//! `spawn_blocking`, a channel to a worker) leaves the scope: queries there
//! are not checked. Nested scoped functions simply open a nested scope.
//!
//! Cost: a marked query pays one `bool` test; an unmarked query pays one
//! thread-local read (`benches -- --scope-cost` measures both).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, ErrorKind};

tokio::task_local! {
    /// The name of the innermost `#[tenant_scoped]` function running on this
    /// task (for the error's detail).
    static SCOPE: &'static str;
}

/// Runs `body` (the body of the `#[tenant_scoped]` function `function`)
/// inside the tenant scope.
pub async fn tenant_scope<T, F: Future<Output = T>>(function: &'static str, body: F) -> T {
    SCOPE.scope(function, body).await
}

/// Set once a query compiled under `tenant_scoping = "opt-in"` that names
/// a tenant table outside `#[tenant_scoped]` has been built.
static OPTED_OUT: AtomicBool = AtomicBool::new(false);

/// Records that such a query was built (the posture check reports it).
#[inline]
pub(crate) fn note_scoping_opted_out() {
    if !OPTED_OUT.load(Ordering::Relaxed) {
        OPTED_OUT.store(true, Ordering::Relaxed);
    }
}

/// Whether [`note_scoping_opted_out`] ever ran in this process.
pub(crate) fn scoping_opted_out() -> bool {
    OPTED_OUT.load(Ordering::Relaxed)
}

/// Whether a tenant scope is active on the current task.
pub fn in_tenant_scope() -> bool {
    SCOPE.try_with(|_| ()).is_ok()
}

/// Refuses an unmarked query (`marked == false`) inside a tenant scope.
/// `sql` goes into the detail only.
#[inline]
pub(crate) fn check(marked: bool, sql: &'static str) -> Result<(), Error> {
    if marked {
        return Ok(());
    }
    match SCOPE.try_with(|function| *function) {
        Err(_) => Ok(()),
        Ok(function) => Err(refusal(function, sql)),
    }
}

#[cold]
fn refusal(function: &'static str, sql: &'static str) -> Error {
    Error::from_kind(ErrorKind::TenantScope).with_detail(format!(
        "a query that #[tenant_scoped] did not scope ran while `{function}` (a #[tenant_scoped] \
         function) was active on this task, and was refused before anything was sent to the \
         server. It comes from a function `{function}` calls that is not #[tenant_scoped], or \
         from a macro the attribute could not see. Make that function #[tenant_scoped] too \
         (pass it the tenant), or, if the query really must see every tenant, write it as \
         `secure_query!(unscoped = \"reason\", ...)`. SQL: {sql}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unmarked_queries_fail_only_inside_a_scope() {
        assert!(!in_tenant_scope());
        assert!(check(false, "SELECT 1").is_ok());
        tenant_scope("outer", async {
            assert!(in_tenant_scope());
            assert!(check(true, "SELECT 1").is_ok());
            let e = check(false, "DELETE FROM widgets").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::TenantScope);
            let shown = e.to_string();
            assert!(!shown.contains("DELETE"), "{shown}");
            let detail = format!("{e:#}");
            assert!(detail.contains("`outer`"), "{detail}");
            assert!(detail.contains("DELETE FROM widgets"), "{detail}");
            // Nested scopes name the innermost function.
            tenant_scope("inner", async {
                let detail = format!("{:#}", check(false, "SELECT 2").unwrap_err());
                assert!(detail.contains("`inner`"), "{detail}");
            })
            .await;
            assert!(format!("{:#}", check(false, "SELECT 3").unwrap_err()).contains("`outer`"));
        })
        .await;
        assert!(check(false, "SELECT 1").is_ok());
    }

    #[tokio::test]
    async fn spawned_tasks_leave_the_scope() {
        let inside = tenant_scope("f", async {
            tokio::spawn(async { in_tenant_scope() }).await
        })
        .await
        .unwrap();
        assert!(!inside);
    }
}

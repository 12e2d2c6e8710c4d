//! The catalogue's `pass` cases, compiled together as modules of this one
//! test (each case file is a small complete program; its `main` runs here).
//! They are compiled with the workspace's build, not by trybuild: trybuild
//! then only checks the `fail` cases, which needs no binaries, and the
//! dependencies are shared with the rest of the workspace. Every file in a
//! `pass/` folder must be listed below (`every_pass_case_is_listed`).

// Case code is written as users write it, not to the workspace's own
// lints (clippy's still apply: a macro whose expansion trips one would
// trip it in a user's crate too).
#![allow(dead_code, missing_debug_implementations, unreachable_pub)]

#[path = "../../ui-tests/tests/common/mod.rs"]
mod common;

#[path = "pass/beside-an-unknown-table.rs"]
mod beside_an_unknown_table;
#[path = "pass/bulk-writes-and-catalogs.rs"]
mod bulk_writes_and_catalogs;
#[path = "pass/composite-column.rs"]
mod composite_column;
#[path = "pass/composite-fields.rs"]
mod composite_fields;
#[path = "pass/copy.rs"]
mod copy;
#[path = "pass/copy-out.rs"]
mod copy_out;
#[path = "pass/copy-reaches-tenant-rows.rs"]
mod copy_reaches_tenant_rows;
#[path = "pass/dynamic.rs"]
mod dynamic;
#[path = "pass/from-row-options.rs"]
mod from_row_options;
#[path = "pass/functions-operators-and-rows.rs"]
mod functions_operators_and_rows;
#[path = "pass/pg-types.rs"]
mod pg_types;
#[path = "pass/registered-under-forbid-unsafe-code.rs"]
mod registered_under_forbid_unsafe_code;
#[path = "pass/rows.rs"]
mod rows;
#[path = "pass/shapes.rs"]
mod shapes;
#[path = "pass/sqlx-overrides.rs"]
mod sqlx_overrides;
#[path = "pass/tenant.rs"]
mod tenant;
#[path = "pass/tenant-by-default.rs"]
mod tenant_by_default;
#[path = "pass/tenant-rows-through-a-view-or-function.rs"]
mod tenant_rows_through_a_view_or_function;
#[path = "pass/types.rs"]
mod types;
#[path = "pass/user-function.rs"]
mod user_function;

#[test]
fn every_pass_case_compiles_and_runs() {
    beside_an_unknown_table::main();
    bulk_writes_and_catalogs::main();
    composite_column::main();
    composite_fields::main();
    copy_out::main();
    copy_reaches_tenant_rows::main();
    copy::main();
    dynamic::main();
    from_row_options::main();
    functions_operators_and_rows::main();
    pg_types::main();
    registered_under_forbid_unsafe_code::main();
    rows::main();
    shapes::main();
    sqlx_overrides::main();
    tenant_by_default::main();
    tenant_rows_through_a_view_or_function::main();
    tenant::main();
    types::main();
    user_function::main();
}

/// A new file in a `pass/` folder is compiled only once it is listed here.
#[test]
fn every_pass_case_is_listed() {
    let missing = common::unlisted_pass_cases(include_str!("pass.rs"), &common::tests_dir());
    assert!(
        missing.is_empty(),
        "pass cases not listed in tests/pass.rs: {missing:?}"
    );
}

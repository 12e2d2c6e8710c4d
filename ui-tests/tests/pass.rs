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

mod common;

#[path = "copy/pass/copy.rs"]
mod copy_copy;
#[path = "copy/pass/copy-out.rs"]
mod copy_copy_out;
#[path = "dynamic/pass/choice-on-a-bool.rs"]
mod dynamic_choice_on_a_bool;
#[path = "dynamic/pass/dynamic-inside-tenant-scoped.rs"]
mod dynamic_dynamic_inside_tenant_scoped;
#[path = "dynamic/pass/optional-filters-and-a-chosen-sort.rs"]
mod dynamic_optional_filters_and_a_chosen_sort;
#[path = "from_row/pass/raw-identifier-field.rs"]
mod from_row_raw_identifier_field;
#[path = "from_row/pass/rename-and-option.rs"]
mod from_row_rename_and_option;
#[path = "migrate/pass/concurrently-marked.rs"]
mod migrate_concurrently_marked;
#[path = "secure_query/pass/any-array.rs"]
mod secure_query_any_array;
#[path = "secure_query_as/pass/struct-rows.rs"]
mod secure_query_as_struct_rows;
#[path = "secure_query_as/pass/tuple-rows.rs"]
mod secure_query_as_tuple_rows;
#[path = "secure_query_as/pass/unparsed.rs"]
mod secure_query_as_unparsed;
#[path = "secure_query/pass/casts.rs"]
mod secure_query_casts;
#[path = "secure_query/pass/dollar-quoted-string.rs"]
mod secure_query_dollar_quoted_string;
#[path = "secure_query/pass/executor-kinds.rs"]
mod secure_query_executor_kinds;
#[path = "secure_query/pass/future-is-send.rs"]
mod secure_query_future_is_send;
#[path = "secure_query/pass/jsonb-question-operator.rs"]
mod secure_query_jsonb_question_operator;
#[path = "secure_query/pass/multi-line-sql.rs"]
mod secure_query_multi_line_sql;
#[path = "secure_query/pass/placeholder-reused.rs"]
mod secure_query_placeholder_reused;
#[path = "secure_query/pass/raw-string-literal.rs"]
mod secure_query_raw_string_literal;
#[path = "secure_query/pass/registered-under-forbid-unsafe-code.rs"]
mod secure_query_registered_under_forbid_unsafe_code;
#[path = "secure_query/pass/transaction-helper.rs"]
mod secure_query_transaction_helper;
#[path = "secure_query/pass/unparsed-escape-hatch.rs"]
mod secure_query_unparsed_escape_hatch;
#[path = "secure_query/pass/unparsed-with-unscoped.rs"]
mod secure_query_unparsed_with_unscoped;
#[path = "secure_query/pass/unscoped-outside-tenant-scoped.rs"]
mod secure_query_unscoped_outside_tenant_scoped;
#[path = "tenant_scoped/pass/allow-macros-option.rs"]
mod tenant_scoped_allow_macros_option;
#[path = "tenant_scoped/pass/allowed-macros.rs"]
mod tenant_scoped_allowed_macros;
#[path = "tenant_scoped/pass/boxed-future-return.rs"]
mod tenant_scoped_boxed_future_return;
#[path = "tenant_scoped/pass/custom-column.rs"]
mod tenant_scoped_custom_column;
#[path = "tenant_scoped/pass/exempt-shared-tables.rs"]
mod tenant_scoped_exempt_shared_tables;
#[path = "tenant_scoped/pass/inside-transaction.rs"]
mod tenant_scoped_inside_transaction;
#[path = "tenant_scoped/pass/nested-scoped-fn.rs"]
mod tenant_scoped_nested_scoped_fn;
#[path = "tenant_scoped/pass/qualified-and-raw-paths.rs"]
mod tenant_scoped_qualified_and_raw_paths;
#[path = "tenant_scoped/pass/rebinding-renamed.rs"]
mod tenant_scoped_rebinding_renamed;
#[path = "tenant_scoped/pass/select-with-joins.rs"]
mod tenant_scoped_select_with_joins;
#[path = "tenant_scoped/pass/tenant-marker.rs"]
mod tenant_scoped_tenant_marker;
#[path = "tenant_scoped/pass/trusted-function.rs"]
mod tenant_scoped_trusted_function;
#[path = "tenant_scoped/pass/unscoped-query.rs"]
mod tenant_scoped_unscoped_query;

#[test]
fn every_pass_case_compiles_and_runs() {
    secure_query_any_array::main();
    secure_query_casts::main();
    secure_query_dollar_quoted_string::main();
    secure_query_executor_kinds::main();
    secure_query_future_is_send::main();
    secure_query_jsonb_question_operator::main();
    secure_query_multi_line_sql::main();
    secure_query_placeholder_reused::main();
    secure_query_raw_string_literal::main();
    secure_query_registered_under_forbid_unsafe_code::main();
    secure_query_transaction_helper::main();
    secure_query_unparsed_escape_hatch::main();
    secure_query_unparsed_with_unscoped::main();
    secure_query_unscoped_outside_tenant_scoped::main();
    secure_query_as_struct_rows::main();
    secure_query_as_tuple_rows::main();
    secure_query_as_unparsed::main();
    dynamic_choice_on_a_bool::main();
    dynamic_dynamic_inside_tenant_scoped::main();
    dynamic_optional_filters_and_a_chosen_sort::main();
    copy_copy_out::main();
    copy_copy::main();
    from_row_raw_identifier_field::main();
    from_row_rename_and_option::main();
    tenant_scoped_allow_macros_option::main();
    tenant_scoped_allowed_macros::main();
    tenant_scoped_boxed_future_return::main();
    tenant_scoped_custom_column::main();
    tenant_scoped_exempt_shared_tables::main();
    tenant_scoped_inside_transaction::main();
    tenant_scoped_nested_scoped_fn::main();
    tenant_scoped_qualified_and_raw_paths::main();
    tenant_scoped_rebinding_renamed::main();
    tenant_scoped_select_with_joins::main();
    tenant_scoped_tenant_marker::main();
    tenant_scoped_trusted_function::main();
    tenant_scoped_unscoped_query::main();
    migrate_concurrently_marked::main();
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

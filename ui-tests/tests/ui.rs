//! The catalogue of what the secure-pg macros accept and refuse.
//!
//! Each family has a `pass/` folder (programs that must compile) and a
//! `fail/` folder (programs that must not, with the expected compiler output
//! in a `.stderr` file next to each). See `src/lib.rs` for how to run and
//! how to update the expected output.

#[test]
fn secure_query() {
    let t = trybuild::TestCases::new();
    t.pass("tests/secure_query/pass/*.rs");
    t.compile_fail("tests/secure_query/fail/*.rs");
}

#[test]
fn secure_query_as() {
    let t = trybuild::TestCases::new();
    t.pass("tests/secure_query_as/pass/*.rs");
    t.compile_fail("tests/secure_query_as/fail/*.rs");
}

#[test]
fn dynamic() {
    let t = trybuild::TestCases::new();
    t.pass("tests/dynamic/pass/*.rs");
    t.compile_fail("tests/dynamic/fail/*.rs");
}

#[test]
fn copy() {
    let t = trybuild::TestCases::new();
    t.pass("tests/copy/pass/*.rs");
    t.compile_fail("tests/copy/fail/*.rs");
}

#[test]
fn from_row() {
    let t = trybuild::TestCases::new();
    t.pass("tests/from_row/pass/*.rs");
    t.compile_fail("tests/from_row/fail/*.rs");
}

#[test]
fn tenant_scoped() {
    let t = trybuild::TestCases::new();
    t.pass("tests/tenant_scoped/pass/*.rs");
    t.compile_fail("tests/tenant_scoped/fail/*.rs");
}

#[test]
fn migrate() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/migrate/fail/*.rs");
}

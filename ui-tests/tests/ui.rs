//! The catalogue of what the secure-pg macros refuse.
//!
//! Each family has a `fail/` folder (programs that must not compile, with
//! the expected compiler output in a `.stderr` file next to each), checked
//! here, and a `pass/` folder (programs that must compile), compiled and
//! run by `tests/pass.rs`. See `src/lib.rs` for how to run and how to update
//! the expected output.
//!
//! All families are one trybuild project: trybuild checks the project's
//! dependencies once and checks every case in one cargo run, so the cases
//! compile side by side. One family (or one case) is picked with a
//! `trybuild=` filter after the test name, e.g.
//! `cargo test --test ui -- ui trybuild=tenant_scoped/`.

mod common;

/// The families, in the order their results are printed.
const FAMILIES: &[&str] = &[
    "secure_query",
    "secure_query_as",
    "dynamic",
    "copy",
    "from_row",
    "tenant_scoped",
    "migrate",
    "test_attr",
];

#[test]
fn ui() {
    common::lean_case_builds();
    copy_migrate_fixtures();
    let t = trybuild::TestCases::new();
    for family in FAMILIES {
        let dir = common::tests_dir().join(family);
        assert!(dir.is_dir(), "no case folder for the family `{family}`");
        t.compile_fail(format!("tests/{family}/fail/*.rs"));
    }
}

/// `migrate!("fixtures/...")` in the `migrate` cases names a directory
/// next to the cases' Cargo.toml, which for trybuild is its own project:
/// the fixtures are copied there (as the sibling catalogue copies its
/// `schema.sql`).
fn copy_migrate_fixtures() {
    let project = common::trybuild_project();
    let from = common::tests_dir().join("migrate/fixtures");
    for dir in std::fs::read_dir(&from).expect("tests/migrate/fixtures") {
        let dir = dir.expect("a fixture").path();
        let to = project
            .join("fixtures")
            .join(dir.file_name().expect("a name"));
        std::fs::create_dir_all(&to).unwrap();
        for file in std::fs::read_dir(&dir).expect("a fixture directory") {
            let file = file.expect("a file").path();
            std::fs::copy(&file, to.join(file.file_name().expect("a name"))).unwrap();
        }
    }
}

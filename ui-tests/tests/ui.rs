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
    lean_case_builds();
    copy_migrate_fixtures();
    let t = trybuild::TestCases::new();
    for family in FAMILIES {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(family);
        assert!(dir.is_dir(), "no case folder for the family `{family}`");
        t.compile_fail(format!("tests/{family}/fail/*.rs"));
    }
}

/// `migrate!("fixtures/...")` in the `migrate` cases names a directory
/// next to the cases' Cargo.toml: trybuild builds them in
/// `<target>/tests/trybuild/<crate name>/`, so the fixtures are copied
/// there (as the sibling catalogue copies its `schema.sql`).
fn copy_migrate_fixtures() {
    use std::path::Path;
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory");
    let project = target
        .join("tests")
        .join("trybuild")
        .join(env!("CARGO_PKG_NAME"));
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/migrate/fixtures");
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

/// trybuild builds the cases as a cargo project of its own, in a target
/// directory of its own, with cargo's default `dev` profile: full debug
/// info for every dependency, which nothing here reads. Without it, the
/// cold build of both catalogues took 197 s instead of 266 s on two cores.
/// The child cargo reads the profile from the environment, so the cases are
/// built without debug info unless the caller chose a setting. (The same function is in the sibling catalogue's `ui.rs`.)
fn lean_case_builds() {
    const DEBUG: &str = "CARGO_PROFILE_DEV_DEBUG";
    if std::env::var_os(DEBUG).is_none() {
        std::env::set_var(DEBUG, "false");
    }
}

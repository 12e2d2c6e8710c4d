//! The schema-check cases; see `src/lib.rs`.

use std::path::Path;

#[test]
fn schema_checks() {
    // trybuild builds the cases in `<target>/tests/trybuild/<crate name>/`.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory");
    let project = target
        .join("tests")
        .join("trybuild")
        .join(env!("CARGO_PKG_NAME"));
    std::fs::create_dir_all(&project).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.sql");
    std::fs::copy(schema, project.join("schema.sql")).unwrap();

    lean_case_builds();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/*.rs");
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

//! The schema-check cases; see `src/lib.rs`.

#[path = "../../ui-tests/tests/common/mod.rs"]
mod common;

#[test]
fn schema_checks() {
    // The cases read `schema.sql` from the crate root, which for trybuild
    // is its own project.
    let project = common::trybuild_project();
    std::fs::create_dir_all(&project).unwrap();
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.sql");
    std::fs::copy(schema, project.join("schema.sql")).unwrap();

    common::lean_case_builds();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/fail/*.rs");
}

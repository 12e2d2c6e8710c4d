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

    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*.rs");
}

//! What both catalogues' test targets share. This crate's `ui.rs` and
//! `pass.rs` include it as a module, and so do the sibling catalogue's
//! (by path), so that each catalogue runs the same checks.

// Each test target uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The folder of the catalogue's test files (`<crate>/tests`).
pub(crate) fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Where trybuild builds the catalogue's cases: a cargo project of its own
/// in `<target>/tests/trybuild/<crate name>/`. Files the cases name from
/// the crate root (a `schema.sql`, migration fixtures) are copied there.
pub(crate) fn trybuild_project() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("tests")
        .join("trybuild")
        .join(env!("CARGO_PKG_NAME"))
}

/// trybuild builds the cases with cargo's default `dev` profile: full
/// debug info for every dependency, which nothing here reads. Without it,
/// the cold build of both catalogues took 197 s instead of 266 s on two
/// cores. The child cargo reads the profile from the environment, so the
/// cases are built without debug info unless the caller chose a setting.
pub(crate) fn lean_case_builds() {
    const DEBUG: &str = "CARGO_PROFILE_DEV_DEBUG";
    if std::env::var_os(DEBUG).is_none() {
        std::env::set_var(DEBUG, "false");
    }
}

/// The files in a `pass/` folder under `tests` that `listed` (the text of
/// the catalogue's `tests/pass.rs`) does not include as a `#[path]`
/// module: such a case would never be compiled.
pub(crate) fn unlisted_pass_cases(listed: &str, tests: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let mut folders = vec![tests.to_path_buf()];
    while let Some(dir) = folders.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.parent().and_then(|p| p.file_name()) == Some("pass".as_ref())
                && path.extension() == Some("rs".as_ref())
            {
                let rel = path.strip_prefix(tests).unwrap().to_str().unwrap();
                if !listed.contains(&format!("#[path = \"{rel}\"]")) {
                    missing.push(rel.to_owned());
                }
            }
        }
    }
    missing.sort();
    missing
}

//! The README's quickstart, as a new user runs it: the program is
//! `secure-pg/examples/readme_quickstart.rs` (the README's copy is checked
//! against it by `examples/tests/examples.rs`, and CI builds the same text
//! as a crate of its own from the README's install section, against the
//! packaged crates), run here against a real server over `verify-full`.

use std::process::Command;

use secure_pg_tests::{shared, ClusterSpec, ServerCert, APP_PASSWORD};

/// Where `cargo test --workspace` (or `cargo build -p secure-pg --examples`)
/// puts the example: beside this test binary's `deps/`.
fn example() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let bin = dir
        .join("examples")
        .join(format!("readme_quickstart{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is not built: run `cargo build -p secure-pg --example readme_quickstart` \
         (`cargo test --workspace` builds it)",
        bin.display()
    );
    bin
}

#[test]
fn the_readme_quickstart_runs_over_verify_full() {
    let bin = example();
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    c.psql("DROP DATABASE IF EXISTS readme_quickstart WITH (FORCE)");
    c.psql("CREATE DATABASE readme_quickstart OWNER app");
    let url = c.url();
    let (base, options) = url.split_once('?').expect("options");
    let (base, _) = base.rsplit_once('/').expect("a database");
    let url = format!("{base}/readme_quickstart?{options}");
    let run = || {
        Command::new(&bin)
            .env("DATABASE_URL", &url)
            .env_remove("APP_ENV")
            .output()
            .expect("run the quickstart")
    };
    let out = run();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1: sprocket (Some(\"shiny\"))"), "{stdout}");
    assert!(stdout.contains("a hostile name found None"), "{stdout}");
    assert!(stdout.contains("ok=true"), "{stdout}");
    assert!(stdout.contains("TLSv1.3"), "{stdout}");
    assert!(!stdout.contains(APP_PASSWORD) && !stderr.contains(APP_PASSWORD));
    // Run again: the table and its row are there, nothing fails.
    assert!(run().status.success());
    // Without verify-full's root: refused, and the error says why without
    // the password.
    let out = Command::new(&bin)
        .env("DATABASE_URL", url.split('?').next().expect("a base"))
        .env_remove("APP_ENV")
        .output()
        .expect("run the quickstart");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains(APP_PASSWORD), "{stderr}");
}

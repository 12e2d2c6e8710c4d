//! Runs the examples' bodies, so that they are built and run by the test
//! suite and cannot rot.

#[tokio::test]
async fn quickstart_runs_over_verify_full() {
    // The quickstart's own throwaway cluster, whatever the environment says.
    std::env::remove_var("DATABASE_URL");
    let mut out = Vec::new();
    secure_pg_examples::quickstart(&mut out)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("sslmode=verify-full"), "{out}");
    assert!(out.contains("TLSv1.3"), "{out}");
    assert!(out.contains("migrations applied: [1, 2, 3]"), "{out}");
    assert!(out.contains("widget 1 sprocket Some(\"shiny\")"), "{out}");
    assert!(out.contains("the table is intact"), "{out}");
    assert!(
        out.contains(
            "what a user sees: a record with the same unique value already exists (SQLSTATE 23505)"
        ),
        "{out}"
    );
    assert!(out.contains("health: ok=true"), "{out}");
    // The application role owns nothing and holds only the printed grants.
    assert!(
        out.contains("GRANT SELECT, INSERT, DELETE ON TABLE quickstart_widgets TO quickstart_app;"),
        "{out}"
    );
    assert!(!out.contains("role-owns-tables"), "{out}");
    assert!(out.contains("done"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_keeps_serving() {
    let mut out = Vec::new();
    let failures = secure_pg_examples::rotation::rotation(&mut out)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let out = String::from_utf8(out).unwrap();
    assert!(failures <= 1, "{out}");
    assert!(out.contains("round 5: served by backend"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_in_numeric_are_exact() {
    std::env::remove_var("DATABASE_URL");
    let mut out = Vec::new();
    let balances = secure_pg_examples::transfer::run(&mut out, 90)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let out = String::from_utf8(out).unwrap();
    // 90 transfers in a ring of three: each account sends 30 and receives
    // 30 dimes, so every balance is back where it started, to the cent.
    let shown: Vec<String> = balances.iter().map(|b| b.to_string()).collect();
    assert_eq!(shown, ["100.00", "100.00", "100.00"], "{out}");
    assert!(out.contains("overdraft refused:"), "{out}");
    assert!(out.contains("total 300.00"), "{out}");
    // The transfers ran as a role that owns nothing and holds exactly the
    // grants the binary's statements use.
    let findings = out
        .lines()
        .find(|l| l.starts_with("health findings: "))
        .unwrap_or_else(|| panic!("{out}"));
    for code in [
        "role-owns-tables",
        "grants-missing-for-queries",
        "grants-exceed-queries",
    ] {
        assert!(!findings.contains(code), "{out}");
    }
}

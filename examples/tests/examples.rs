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
    assert!(out.contains("widget 1 sprocket Some(\"shiny\")"), "{out}");
    assert!(out.contains("the table is intact"), "{out}");
    assert!(
        out.contains(
            "what a user sees: a record with the same unique value already exists (SQLSTATE 23505)"
        ),
        "{out}"
    );
    assert!(out.contains("health: ok=true"), "{out}");
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

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

/// The README's and the guide's code that is not a doctest is copied from
/// files these tests build and run, and so is a doctest whose first shown
/// line names such a file (a doctest of code that queries compiles in the
/// guide and runs there, in `tests/tests/it/guide.rs`). Each such block
/// starts with a comment naming the file (an `sql` block too, with `--`);
/// `// ...` (or `-- ...`) marks what is left out. Every other piece must
/// stand in that file, line for line (indentation aside), in order. A
/// Rust block that neither names a file nor compiles as a doctest fails.
#[test]
fn guide_and_readme_copies_match_the_files_they_quote() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut documents = vec![root.join("README.md")];
    let guide = root.join("secure-pg/src/guide");
    for entry in std::fs::read_dir(&guide).expect("secure-pg/src/guide") {
        documents.push(entry.expect("a chapter").path());
    }
    documents.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for doc in &documents {
        let text = std::fs::read_to_string(doc).expect("a document");
        let shown = doc.strip_prefix(&root).unwrap_or(doc).display().to_string();
        let in_readme = doc.ends_with("README.md");
        for mut block in fenced_blocks(&text) {
            let rust = block.info.starts_with("rust");
            let compiled = rust && !block.info.contains("ignore") && !in_readme;
            if compiled {
                // A doctest's hidden lines are not shown, so not quoted.
                block.lines.retain(|l| {
                    let t = l.trim_start();
                    !(t == "#" || t.starts_with("# "))
                });
            }
            let comment = if rust { "//" } else { "--" };
            // The first path in the first line's comment that names a
            // file of the repository.
            let source = block
                .lines
                .first()
                .and_then(|l| l.strip_prefix(comment))
                .and_then(|c| {
                    c.split_whitespace()
                        .map(|w| w.trim_end_matches([',', ':', ';', '.']))
                        .find(|p| p.contains('/') && root.join(p).is_file())
                });
            let Some(source) = source else {
                if rust && !compiled {
                    failures.push(format!(
                        "{shown}:{}: a Rust block that is not compiled must start with \
                         `// <file it is copied from>`",
                        block.line
                    ));
                }
                continue;
            };
            // Lines compare without their indentation, which differs
            // between a block and the function that runs it.
            let file = std::fs::read_to_string(root.join(source)).expect("the quoted file");
            let file: Vec<&str> = file.lines().map(str::trim).collect();
            let elided = format!("{comment} ...");
            let lines: Vec<&str> = block.lines[1..].iter().map(|l| l.trim()).collect();
            let mut from = 0;
            for piece in lines.split(|l| *l == elided) {
                let found = (from..=file.len().saturating_sub(piece.len()))
                    .find(|&i| file[i..i + piece.len()] == *piece);
                match found {
                    Some(i) => from = i + piece.len(),
                    None => failures.push(format!(
                        "{shown}:{}: not in {source} as written (or not in order): {:?}",
                        block.line,
                        piece.first().unwrap_or(&"")
                    )),
                }
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 23, "only {checked} copies checked");
}

struct Block<'a> {
    line: usize,
    info: &'a str,
    lines: Vec<&'a str>,
}

/// The fenced blocks of a Markdown text, each line with the fence's own
/// indentation taken off (blocks inside list items are indented).
fn fenced_blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize, &str, Vec<&str>)> = None;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((n + 1, indent, info.trim(), Vec::new()));
                }
            }
            Some((start, i, info, mut lines)) => {
                if trimmed.starts_with("```") {
                    out.push(Block {
                        line: start,
                        info,
                        lines,
                    });
                } else {
                    lines.push(line.get(i..).unwrap_or(""));
                    open = Some((start, i, info, lines));
                }
            }
        }
    }
    out
}

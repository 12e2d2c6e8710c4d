//! The statement checks of `secure_query!` run inside the compiler on
//! whatever a user writes: they must never panic, the two modes must agree
//! on placeholders, and every diagnostic must render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secure_pg_sql::check::{analyze, Mode};

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = analyze(
        sql,
        Mode::Parsed {
            escape_hatch: "secure_query_unparsed!",
        },
    );
    let unparsed = analyze(sql, Mode::Unparsed);
    for diagnostics in [&parsed, &unparsed].into_iter().filter_map(|r| r.as_ref().err()) {
        assert!(!diagnostics.is_empty(), "a refusal without a reason: {sql:?}");
        for d in diagnostics {
            let shown = d.render(sql);
            assert!(shown.starts_with(&d.message), "{shown}");
        }
    }
    // The parsed mode checks everything the unparsed mode checks, and more.
    if let Ok(info) = &parsed {
        assert_eq!(unparsed.as_ref().ok(), Some(info), "{sql:?}");
    }
});

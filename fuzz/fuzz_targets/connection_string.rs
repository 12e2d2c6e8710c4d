//! Connection strings from anywhere (environment, config files) must parse
//! or fail with a configuration error: never panic, never echo the
//! password through `Display` or `Debug`, and no parse error may show any
//! piece of the password field, however the password's spaces, quotes,
//! `/`, `@`, `%` or non-ASCII characters confuse the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Where the fuzzed password goes: URLs (well-formed, missing a slash,
/// with options after it) and `key=value` strings (unquoted, quoted, with
/// options after it).
const TEMPLATES: &[(&str, &str)] = &[
    ("postgres://app:", "@db.internal:5432/shop?sslmode=verify-full"),
    ("postgres:/app:", "@db.internal/shop"),
    ("postgresql:app:", "@db.internal/shop"),
    ("postgres://app:", "@db/shop?application_name=x&connect_timeout=3"),
    ("host=db password=", " dbname=shop sslmode=require"),
    ("host=db password='", "' dbname=shop"),
    ("password=", ""),
    ("user=app password='", ""),
    ("", ""),
];

/// Characters no fixed configuration message (nor `Debug`'s punctuation)
/// contains: a window of the password holding one of them must never
/// appear in an error.
fn distinctive(c: char) -> bool {
    !c.is_ascii() || "@%'?&".contains(c)
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(fuzzed) = std::str::from_utf8(rest) else {
        return;
    };
    let (before, after) = TEMPLATES[pick as usize % TEMPLATES.len()];
    let input = format!("{before}{fuzzed}{after}");
    // The password field is the fuzzed text (all of the input for the
    // empty template, which is the original free-form target).
    let password = fuzzed;
    match secure_pg::Config::parse_with_env(&input, |_| None) {
        Ok(config) => {
            let shown = format!("{config} {config:?}");
            if config.has_password() {
                assert!(shown.contains("***"), "password not redacted: {shown}");
            }
            let _ = config.validate();
        }
        Err(e) => {
            assert_eq!(e.kind(), secure_pg::ErrorKind::Configuration);
            let renderings = [
                e.to_string(),
                format!("{e:#}"),
                format!("{e:?}"),
                e.detail().to_string(),
            ];
            let chars: Vec<char> = password.chars().collect();
            for r in &renderings {
                for w in chars.windows(3).filter(|w| w.iter().any(|c| distinctive(*c))) {
                    let piece: String = w.iter().collect();
                    assert!(!r.contains(&piece), "`{piece}` of the password in: {r}");
                }
                for c in chars.iter().filter(|c| !c.is_ascii()) {
                    assert!(!r.contains(*c), "`{c}` of the password in: {r}");
                }
            }
        }
    }
});

//! Connection strings from anywhere (environment, config files) must parse
//! or fail with a configuration error: never panic, and never echo the
//! password through `Display` or `Debug`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match secure_pg::Config::parse_with_env(s, |_| None) {
        Ok(config) => {
            let shown = format!("{config} {config:?}");
            if config.has_password() {
                assert!(shown.contains("***"), "password not redacted: {shown}");
            }
            let _ = config.validate();
        }
        Err(e) => assert_eq!(e.kind(), secure_pg::ErrorKind::Configuration),
    }
});

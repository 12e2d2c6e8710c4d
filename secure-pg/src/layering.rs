//! Holds the module dependency direction written at the top of `lib.rs`:
//! every `crate::<module>` (or, from a top-level module, `super::<module>`)
//! path in a module's source must name a module of a lower layer.

use std::path::Path;

/// Layer of each module; a module may use only modules of lower layers.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("registry", 0),
    ("metrics", 0),
    ("codec", 0),
    ("pg_type", 0),
    ("config", 1),
    ("tls", 2),
    ("credentials", 2),
    ("telemetry", 2),
    ("connect", 3),
    ("conn_state", 4),
    ("posture", 4),
    ("tenant", 4),
    ("tenant_scope", 3),
    ("pool", 5),
    ("executor", 6),
    ("health", 6),
    ("migrate", 6),
    ("query", 7),
    ("copy", 7),
    ("sql_types", 8),
    ("testing", 9),
    ("guide", 10),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The lower-case module names a line of code refers to with `prefix`.
fn referenced<'a>(code: &'a str, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    code.match_indices(prefix).filter_map(move |(i, _)| {
        let rest = &code[i + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()))
            .unwrap_or(rest.len());
        // `crate::Error` and the like are the root's re-exports, not modules.
        (end > 0 && !rest[end..].starts_with(|c: char| c.is_ascii_uppercase()))
            .then(|| &rest[..end])
    })
}

fn visit(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn modules_depend_only_on_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    let mut violations = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top_level = rel.components().count() == 1;
        let module = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "layering" {
            continue;
        }
        let own = layer(&module).unwrap_or_else(|| {
            panic!("module `{module}` has no layer in layering.rs; add it to LAYERS and lib.rs")
        });
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            // Doc links may point anywhere; only code creates a dependency.
            if code.starts_with("//") {
                continue;
            }
            let mut used: Vec<&str> = referenced(code, "crate::").collect();
            if top_level {
                used.extend(referenced(code, "super::"));
            }
            for dep in used {
                if dep == module {
                    continue;
                }
                match layer(dep) {
                    Some(l) if l < own => {}
                    _ => violations.push(format!(
                        "{}:{}: `{module}` uses `{dep}`",
                        rel.display(),
                        n + 1
                    )),
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "dependency direction broken:\n{}",
        violations.join("\n")
    );
}

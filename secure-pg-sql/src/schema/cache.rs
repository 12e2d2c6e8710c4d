//! The process-wide cache: the catalog is built once per compiler process
//! and reused while every file and directory that decided it is unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use super::{load_source, locate, LoadedSchema, SchemaError};

/// What a path looked like: modification time and length, or absent.
type Stamp = Option<(SystemTime, u64)>;

type Outcome = Result<Option<Arc<LoadedSchema>>, SchemaError>;

#[derive(Debug)]
struct Entry {
    stamps: Vec<(PathBuf, Stamp)>,
    outcome: Outcome,
    /// When the stamps were last found unchanged.
    checked: Instant,
}

/// How long a check that every file is unchanged stands. A crate's query
/// macros expand in a burst, and a history of hundreds of files costs a
/// `stat` each per check; an edit is seen by the next check after this (in
/// a compiler run it is also seen by cargo, through the files'
/// `include_bytes!` dependencies).
const RECHECK_AFTER: Duration = Duration::from_millis(250);

type Key = (PathBuf, Option<PathBuf>);

fn cache() -> &'static Mutex<HashMap<Key, Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Entry>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

fn fresh(stamps: &[(PathBuf, Stamp)]) -> bool {
    stamps.iter().all(|(p, s)| stamp(p) == *s)
}

/// [`super::load`] through the cache: keyed by the two roots, valid while
/// the manifests, the probed locations, the migrations directories and
/// every schema file keep their modification times and lengths. Errors are
/// cached the same way (fixing the file invalidates them).
pub fn load_cached(crate_root: &Path, workspace_root: Option<&Path>) -> Outcome {
    load_cached_rechecking(crate_root, workspace_root, RECHECK_AFTER)
}

/// [`load_cached`], trusting a check that every file is unchanged for
/// `recheck_after`.
pub(super) fn load_cached_rechecking(
    crate_root: &Path,
    workspace_root: Option<&Path>,
    recheck_after: Duration,
) -> Outcome {
    let key = (
        crate_root.to_path_buf(),
        workspace_root.map(Path::to_path_buf),
    );
    let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = map.get_mut(&key) {
        if e.checked.elapsed() < recheck_after {
            return e.outcome.clone();
        }
        if fresh(&e.stamps) {
            e.checked = Instant::now();
            return e.outcome.clone();
        }
    }
    // Stamp before reading, so a change during the read invalidates.
    let (outcome, watched) = match locate(crate_root, workspace_root) {
        Err(e) => {
            let mut watched = vec![crate_root.join("Cargo.toml")];
            if let Some(w) = workspace_root {
                watched.push(w.join("Cargo.toml"));
            }
            watched.push(e.file.clone());
            (Err(e), watched)
        }
        Ok(located) => {
            let mut watched = located.probed.clone();
            match located.source {
                None => (Ok(None), watched),
                Some(source) => {
                    watched.extend(source.files());
                    let stamps: Vec<_> = watched.iter().map(|p| (p.clone(), stamp(p))).collect();
                    let outcome = load_source(source, located.tenancy).map(|l| Some(Arc::new(l)));
                    map.insert(
                        key,
                        Entry {
                            stamps,
                            outcome: outcome.clone(),
                            checked: Instant::now(),
                        },
                    );
                    return outcome;
                }
            }
        }
    };
    let stamps = watched.iter().map(|p| (p.clone(), stamp(p))).collect();
    map.insert(
        key,
        Entry {
            stamps,
            outcome: outcome.clone(),
            checked: Instant::now(),
        },
    );
    outcome
}

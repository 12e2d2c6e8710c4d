//! The `secure-pg` command line: the migrations the schema checks read,
//! applied and listed; a `pg_dump --schema-only` snapshot of them made on a
//! throwaway server (and checked for staleness in CI); the least-privilege
//! grants of a binary's statements; and the live database verified
//! against them.
//!
//! ```text
//! secure-pg migrate run   [--source DIR]      apply the pending migrations (DATABASE_URL)
//! secure-pg migrate info  [--source DIR]      where each migration stands
//! secure-pg snapshot      [--source DIR] [--out FILE] [--check] [--extension NAME]...
//! secure-pg grants --role ROLE                the GRANTs this binary's statements need
//! secure-pg verify                            the live schema against this binary's statements
//! ```
//!
//! `grants` and `verify` work on the statements registered in the binary
//! that runs them. The `secure-pg` binary has none of yours, so run those
//! two from a binary of your own crate, which links your queries:
//!
//! ```ignore
//! // src/bin/db.rs
//! fn main() -> std::process::ExitCode {
//!     secure_pg_cli::main()
//! }
//! ```
//!
//! Errors follow the library's rules: a URL's password, a server's row
//! values and secrets never appear in what is printed.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod history;
mod snapshot;

pub use history::migrator_from_dir;

/// What `--help` prints.
pub const USAGE: &str = "\
usage: secure-pg <command> [options]

commands:
  migrate run     apply the pending migrations to DATABASE_URL
  migrate info    list each migration and where it stands in DATABASE_URL
  snapshot        apply the migrations to a throwaway server and write its
                  `pg_dump --schema-only` (default: schema.sql); with --check,
                  fail when the file differs from a fresh one
  grants          print the GRANTs the statements of this binary need
  verify          hold DATABASE_URL's schema against this binary's statements

options:
  --source DIR          the migrations directory (default: the one the schema
                        checks read: `migrations/` at the crate or workspace
                        root, or `path` in [package.metadata.secure-pg])
  --database-url URL    instead of the DATABASE_URL environment variable
  --out FILE            snapshot: where to write (default: schema.sql)
  --check               snapshot: compare instead of writing
  --extension NAME      snapshot: create this extension as a superuser before
                        the migrations run, for histories that expect one to
                        be there already (repeatable)
  --role ROLE           grants: the application role
";

/// A failure to report: the message, and the exit code.
#[derive(Debug)]
pub struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }

    fn failed(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

impl From<secure_pg::Error> for Failure {
    fn from(e: secure_pg::Error) -> Failure {
        // `{:#}` is the error with its sanitized detail.
        Failure::failed(format!("{e:#}"))
    }
}

/// The options of one invocation.
#[derive(Debug, Default)]
struct Options {
    source: Option<PathBuf>,
    database_url: Option<String>,
    out: Option<PathBuf>,
    check: bool,
    role: Option<String>,
    extensions: Vec<String>,
}

fn parse_options(args: &[String]) -> Result<Options, Failure> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Failure::usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--source" => o.source = Some(PathBuf::from(value("--source")?)),
            "--database-url" => o.database_url = Some(value("--database-url")?),
            "--out" => o.out = Some(PathBuf::from(value("--out")?)),
            "--role" => o.role = Some(value("--role")?),
            "--check" => o.check = true,
            "--extension" => {
                let name = value("--extension")?;
                if name.is_empty() || name.contains(|c: char| c == '"' || c.is_control()) {
                    return Err(Failure::usage(format!(
                        "--extension {name:?} is not an extension's name"
                    )));
                }
                o.extensions.push(name);
            }
            other => {
                return Err(Failure::usage(format!(
                    "unknown option `{other}`; see `secure-pg --help`"
                )))
            }
        }
    }
    Ok(o)
}

/// Runs the command line of this process, printing to stdout and stderr.
/// Call it from a binary of your crate to get `grants` and `verify` over
/// your statements.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a: OsString| a.to_string_lossy().into_owned())
        .collect();
    let env = |name: &str| std::env::var(name).ok();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    run(
        &args,
        &cwd,
        &env,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
}

/// Runs one command: `args` without the program name, relative paths
/// from `cwd`, variables from `env`. Returns the exit code: 0 done, 1
/// failed (or stale, or drifted), 2 misused.
pub fn run(
    args: &[String],
    cwd: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    match dispatch(args, cwd, env, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let _ = writeln!(err, "error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn dispatch(
    args: &[String],
    cwd: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let (command, rest): (Vec<&str>, &[String]) = match args {
        [a, b, rest @ ..] if a == "migrate" => (vec![a.as_str(), b.as_str()], rest),
        [a, rest @ ..] => (vec![a.as_str()], rest),
        [] => {
            return Err(Failure::usage(format!("no command given\n\n{USAGE}")));
        }
    };
    if matches!(command.as_slice(), ["--help"] | ["-h"] | ["help"]) {
        let _ = out.write_all(USAGE.as_bytes());
        return Ok(());
    }
    let options = parse_options(rest)?;
    if command.as_slice() != ["snapshot"]
        && (options.check || options.out.is_some() || !options.extensions.is_empty())
    {
        return Err(Failure::usage(
            "--out, --check and --extension are options of `snapshot`; see `secure-pg --help`",
        ));
    }
    let source = options.source.as_ref().map(|s| cwd.join(s));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("could not start the async runtime: {e}")))?;
    match command.as_slice() {
        ["migrate", "run"] => {
            let migrator = migrator_from_dir(cwd, source.as_deref())?;
            let config = config(&options, env)?;
            let report = runtime.block_on(migrator.run_with_config(&config))?;
            let _ = writeln!(
                out,
                "applied {} migration(s){}{}",
                report.applied.len(),
                list(&report.applied),
                if report.adopted.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; took over {} from another tool's ledger",
                        report.adopted.len()
                    )
                }
            );
            Ok(())
        }
        ["migrate", "info"] => {
            let migrator = migrator_from_dir(cwd, source.as_deref())?;
            let config = config(&options, env)?;
            let rows = runtime.block_on(async {
                let pool = secure_pg::Pool::builder().max_size(1).build(config).await?;
                migrator.info(&pool).await
            })?;
            let _ = out.write_all(history::info_table(&rows).as_bytes());
            Ok(())
        }
        ["migrate", other] => Err(Failure::usage(format!(
            "unknown migrate command `{other}`: `migrate run` or `migrate info`"
        ))),
        ["snapshot"] => {
            let migrator = migrator_from_dir(cwd, source.as_deref())?;
            let target = cwd.join(options.out.as_deref().unwrap_or(Path::new("schema.sql")));
            let dump = runtime.block_on(snapshot::dump(&migrator, &options.extensions))?;
            snapshot::write_or_check(&target, &dump, options.check, out)
        }
        ["grants"] => {
            let role = options
                .role
                .ok_or_else(|| Failure::usage("grants needs the application role: --role ROLE"))?;
            registered()?;
            let _ = out.write_all(secure_pg::required_grants(&role).as_bytes());
            Ok(())
        }
        ["verify"] => {
            registered()?;
            let config = config(&options, env)?;
            let report = runtime.block_on(async {
                let pool = secure_pg::Pool::builder().max_size(1).build(config).await?;
                pool.verify_schema().await
            })?;
            let _ = writeln!(out, "{report}");
            if report.is_ok() {
                Ok(())
            } else {
                Err(Failure::failed(
                    "the live schema differs from what this binary's statements were checked \
                     against",
                ))
            }
        }
        [other, ..] => Err(Failure::usage(format!(
            "unknown command `{other}`; see `secure-pg --help`"
        ))),
        [] => unreachable!("a command was matched above"),
    }
}

/// ` (1, 2, 3)`, or nothing for an empty list.
fn list(versions: &[i64]) -> String {
    if versions.is_empty() {
        return String::new();
    }
    format!(
        " ({})",
        versions
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The statements of this binary, or the error that says where to run
/// `grants` and `verify` from.
fn registered() -> Result<(), Failure> {
    if secure_pg::queries().is_empty() {
        return Err(Failure::usage(
            "this binary has no registered statements: `grants` and `verify` work on the \
             statements of the binary that runs them. Run them from a binary of your crate: \
             add `src/bin/db.rs` with `fn main() -> std::process::ExitCode { \
             secure_pg_cli::main() }` and `cargo run --bin db -- grants --role app`",
        ));
    }
    Ok(())
}

/// The connection settings: `--database-url`, else `DATABASE_URL`, with
/// the libpq variables of `env`.
fn config(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<secure_pg::Config, Failure> {
    let url = match &options.database_url {
        Some(url) => url.clone(),
        None => env("DATABASE_URL").ok_or_else(|| {
            Failure::usage("set DATABASE_URL (or pass --database-url) to the database to use")
        })?,
    };
    Ok(secure_pg::Config::parse_with_env(&url, env)?)
}

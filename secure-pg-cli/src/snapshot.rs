//! `snapshot`: the migrations applied to a throwaway server (TLS,
//! `verify-full`, started for this run and removed with it), then its
//! `pg_dump --schema-only`, the snapshot the schema checks can read
//! instead of the migrations. With `--check`, a committed snapshot is held
//! against a fresh one, so that CI fails when it is stale.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use secure_pg::migrate::Migrator;
use secure_pg::testing::server::{pg_bin_dir, LocalServer};

use crate::Failure;

/// The database the migrations are applied to.
const DATABASE: &str = "secure_pg_snapshot";

/// The snapshot of `migrator`'s migrations, with `extensions` created
/// first by the superuser (a history may expect an extension its role may
/// not create, as chirpstack's expects `pg_trgm`).
pub(crate) async fn dump(migrator: &Migrator, extensions: &[String]) -> Result<String, Failure> {
    let server = tokio::task::spawn_blocking(LocalServer::start)
        .await
        .map_err(|_| Failure::failed("the throwaway PostgreSQL server could not be started"))?;
    let admin = secure_pg::Config::parse_with_env(&server.url("postgres"), |_| None)?;
    let (client, _) = secure_pg::connect(&admin).await?;
    client
        .batch_execute(&format!("CREATE DATABASE {DATABASE}"))
        .await
        .map_err(secure_pg::Error::from)?;
    drop(client);
    for name in extensions {
        server
            .superuser_sql(
                DATABASE,
                &format!("CREATE EXTENSION IF NOT EXISTS \"{name}\""),
            )
            .map_err(|e| {
                Failure::failed(format!(
                    "--extension {name}: the extension could not be created: {e}"
                ))
            })?;
    }
    let url = server.url(DATABASE);
    let config = secure_pg::Config::parse_with_env(&url, |_| None)?;
    migrator.run_with_config(&config).await.map_err(|e| {
        // An object or function that does not exist, a privilege the role
        // lacks, an extension's files missing: what an extension made
        // beforehand would answer.
        let extension_shaped = e
            .sqlstate()
            .is_some_and(|c| matches!(c.code(), "42704" | "42883" | "42501" | "58P01"));
        let mut f = Failure::from(e);
        if !extension_shaped {
            return f;
        }
        f.message.push_str(
            "\n(the migrations run as a role that is not a superuser; if they expect an \
             extension to exist already, or create one only a superuser may, pass \
             `--extension NAME` for each)",
        );
        f
    })?;
    // The password goes in the environment, not on the command line.
    let (without_password, password) = split_password(&url);
    let output = Command::new(pg_bin_dir().join("pg_dump"))
        // The ledger is the run's bookkeeping, not the application's schema.
        .args(["--schema-only", "--no-owner", "--no-privileges"])
        .arg("--exclude-table=secure_pg_migrations")
        .arg("--dbname")
        .arg(without_password)
        .env("PGPASSWORD", password)
        .output()
        .map_err(|e| {
            Failure::failed(format!(
                "pg_dump could not be run ({e}); install the PostgreSQL client programs \
                 (Debian/Ubuntu: `apt-get install -y postgresql`)"
            ))
        })?;
    if !output.status.success() {
        return Err(Failure::failed(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| Failure::failed("pg_dump wrote text that is not UTF-8"))?;
    Ok(normalize(&text))
}

/// `postgres://user:password@host/...` without its password, and the
/// password.
fn split_password(url: &str) -> (String, String) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_owned(), String::new());
    };
    let rest = &url[scheme_end + 3..];
    let Some(at) = rest.find('@') else {
        return (url.to_owned(), String::new());
    };
    let userinfo = &rest[..at];
    match userinfo.split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..scheme_end + 3], &rest[at..]),
            password.to_owned(),
        ),
        None => (url.to_owned(), String::new()),
    }
}

/// The dump without what changes from one run to the next: the random key
/// of the `\restrict` lines newer `pg_dump`s write, and their versions.
pub(crate) fn normalize(dump: &str) -> String {
    let mut out = String::with_capacity(dump.len());
    for line in dump.lines() {
        if line.starts_with("\\restrict ")
            || line.starts_with("\\unrestrict ")
            || line.starts_with("-- Dumped from database version")
            || line.starts_with("-- Dumped by pg_dump version")
        {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Writes `dump` to `target`, or, with `check`, compares them.
pub(crate) fn write_or_check(
    target: &Path,
    dump: &str,
    check: bool,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    if !check {
        std::fs::write(target, dump).map_err(|e| {
            Failure::failed(format!("{} could not be written: {e}", target.display()))
        })?;
        let _ = writeln!(out, "wrote {}", target.display());
        return Ok(());
    }
    let committed = std::fs::read_to_string(target).map_err(|e| {
        Failure::failed(format!(
            "{} could not be read ({e}); make it with `secure-pg snapshot`",
            target.display()
        ))
    })?;
    let committed = normalize(&committed);
    if committed == dump {
        let _ = writeln!(out, "{} is up to date", target.display());
        return Ok(());
    }
    let (line, theirs, ours) = first_difference(&committed, dump);
    Err(Failure::failed(format!(
        "{} is stale: the migrations make a different schema. First difference at line \
         {line}:\n  in the file:  {theirs}\n  from a fresh run: {ours}\nrun `secure-pg snapshot` \
         and commit the result",
        target.display()
    )))
}

/// The first line (1-based) where `a` and `b` differ, and each one's text
/// there (`<end of file>` past the end).
fn first_difference<'a>(a: &'a str, b: &'a str) -> (usize, &'a str, &'a str) {
    let mut left = a.lines();
    let mut right = b.lines();
    let mut n = 0;
    loop {
        n += 1;
        match (left.next(), right.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return (n, "<end of file>", "<end of file>"),
            (x, y) => {
                return (
                    n,
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url() {
        let (url, password) =
            split_password("postgres://app:s3cr%40t@localhost:5432/db?sslmode=verify-full");
        assert_eq!(url, "postgres://app@localhost:5432/db?sslmode=verify-full");
        assert_eq!(password, "s3cr%40t");
        let (url, password) = split_password("postgres://app@localhost/db");
        assert_eq!(
            (url.as_str(), password.as_str()),
            ("postgres://app@localhost/db", "")
        );
    }

    #[test]
    fn what_changes_between_runs_is_left_out() {
        let dump =
            "--\n-- Dumped from database version 15.14\n-- Dumped by pg_dump version 15.14\n\
                    \\restrict AbC123\nCREATE TABLE t (a int);\n\\unrestrict AbC123\n";
        assert_eq!(normalize(dump), "--\nCREATE TABLE t (a int);\n");
    }

    #[test]
    fn a_stale_file_names_the_first_line_that_differs() {
        let dir = std::env::temp_dir().join(format!("secure-pg-cli-snap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("schema.sql");
        let mut out = Vec::new();
        write_or_check(&file, "a\nb\n", false, &mut out).unwrap();
        write_or_check(&file, "a\nb\n", true, &mut out).unwrap();
        let e = write_or_check(&file, "a\nc\n", true, &mut out).unwrap_err();
        assert!(e.message.contains("is stale"), "{}", e.message);
        assert!(
            e.message
                .contains("line 2:\n  in the file:  b\n  from a fresh run: c"),
            "{}",
            e.message
        );
        let e = write_or_check(&file, "a\nb\nextra\n", true, &mut out).unwrap_err();
        assert!(
            e.message.contains("line 3:\n  in the file:  <end of file>"),
            "{}",
            e.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

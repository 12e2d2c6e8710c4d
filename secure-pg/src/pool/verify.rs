//! The live database held against what the registered statements (see
//! [`crate::registry`]) were checked against at compile time.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use futures_util::future::join_all;
use tokio_postgres::Client;

use super::Pool;
use crate::error::Error;
use crate::registry::{queries, RegisteredQuery};

/// What [`Pool::verify_schema`] found: every difference between the live
/// database and what the binary's statements were checked against.
#[derive(Debug, Clone)]
pub struct SchemaReport {
    differences: Vec<SchemaDifference>,
    statements: usize,
    prepared: bool,
}

impl SchemaReport {
    /// The differences, each with the statements that depend on it.
    pub fn differences(&self) -> &[SchemaDifference] {
        &self.differences
    }

    /// Whether the database is the one the statements were checked
    /// against, as far as they use it.
    pub fn is_ok(&self) -> bool {
        self.differences.is_empty()
    }

    /// How many registered statements were verified.
    pub fn statements(&self) -> usize {
        self.statements
    }

    /// Whether the statements were also prepared by the server (not with
    /// `statement_cache(false)`, PgBouncer's transaction mode, where a
    /// named statement may not outlive its transaction).
    pub fn prepared(&self) -> bool {
        self.prepared
    }
}

impl fmt::Display for SchemaReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.differences.is_empty() {
            return write!(
                f,
                "the database matches what the {} registered statement(s) were checked against",
                self.statements
            );
        }
        write!(
            f,
            "{} difference(s) between the database and what the {} registered statement(s) \
             were checked against:",
            self.differences.len(),
            self.statements
        )?;
        for d in &self.differences {
            write!(f, "\n- {d}")?;
        }
        Ok(())
    }
}

/// One difference, and the statements that depend on it.
#[derive(Debug, Clone)]
pub struct SchemaDifference {
    message: String,
    queries: Vec<&'static RegisteredQuery>,
}

impl SchemaDifference {
    /// What differs, e.g. ``column `widgets.qty` is `bigint` in the
    /// database, the statements were checked with `integer` ``.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The statements that depend on it.
    pub fn queries(&self) -> &[&'static RegisteredQuery] {
        &self.queries
    }
}

impl fmt::Display for SchemaDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let shown = 5;
        let places: Vec<String> = self
            .queries
            .iter()
            .take(shown)
            .map(|q| q.to_string())
            .collect();
        write!(f, "; used by {}", places.join(", "))?;
        if self.queries.len() > shown {
            write!(f, " and {} more", self.queries.len() - shown)?;
        }
        Ok(())
    }
}

/// Differences keyed by message, in the order found.
#[derive(Default)]
struct Found {
    order: Vec<String>,
    by_message: HashMap<String, Vec<&'static RegisteredQuery>>,
}

impl Found {
    fn add(&mut self, message: String, query: &'static RegisteredQuery) {
        let queries = self.by_message.entry(message.clone()).or_insert_with(|| {
            self.order.push(message);
            Vec::new()
        });
        if !queries.iter().any(|q| std::ptr::eq(*q, query)) {
            queries.push(query);
        }
    }

    fn involves(&self, query: &'static RegisteredQuery) -> bool {
        self.by_message
            .values()
            .any(|qs| qs.iter().any(|q| std::ptr::eq(*q, query)))
    }

    fn into_differences(mut self) -> Vec<SchemaDifference> {
        self.order
            .into_iter()
            .map(|message| {
                let queries = self.by_message.remove(&message).unwrap_or_default();
                SchemaDifference { message, queries }
            })
            .collect()
    }
}

impl Pool {
    /// Holds the live database against what this binary's statements (see
    /// [`crate::queries`]) were checked against at compile time, and
    /// reports every difference at once, each with the statements (file,
    /// line and column) that depend on it:
    ///
    /// - each table and view they use exists, and each column they may use
    ///   has the type and (for a table) the nullability they were checked
    ///   with: a database a migration behind, or a column changed by hand,
    ///   shows here;
    /// - each statement is prepared by the server (pipelined on one
    ///   connection; not with `statement_cache(false)`), which must accept
    ///   it and report the parameter and result types the macros inferred.
    ///
    /// `Err` only when the database cannot be asked; the differences are
    /// the report's. The last report is kept: while it has differences,
    /// [`Pool::health_check`] reports a `schema-drift` finding.
    pub async fn verify_schema(&self) -> Result<SchemaReport, Error> {
        let conn = self.get().await?;
        let client = conn.unmarked_client();
        let all: Vec<&'static RegisteredQuery> = queries().to_vec();
        let mut found = Found::default();
        check_catalog(client, &all, &mut found).await?;
        let prepared = self.options_statement_cache();
        if prepared {
            check_statements(client, &all, &mut found).await?;
        }
        drop(conn);
        let report = SchemaReport {
            differences: found.into_differences(),
            statements: all.len(),
            prepared,
        };
        self.note_schema_drift(report.differences.iter().map(|d| d.to_string()).collect());
        Ok(report)
    }
}

/// Tables, views and their columns against `pg_catalog`.
async fn check_catalog(
    client: &Client,
    queries: &[&'static RegisteredQuery],
    found: &mut Found,
) -> Result<(), Error> {
    let mut wanted: BTreeMap<(&str, &str), ()> = BTreeMap::new();
    for q in queries {
        for r in q.schema().map(|s| s.relations()).unwrap_or_default() {
            wanted.insert((r.schema(), r.name()), ());
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let (schemas, names): (Vec<&str>, Vec<&str>) = wanted.keys().copied().unzip();
    let rows = client
        .query(
            "SELECT n.nspname, c.relname, c.relkind = ANY ('{v,m}'), a.attname, \
                    format_type(a.atttypid, a.atttypmod), a.attnotnull \
             FROM unnest($1::text[], $2::text[]) AS w(s, r) \
             JOIN pg_namespace n ON n.nspname = w.s \
             JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.r \
                 AND c.relkind = ANY ('{r,p,v,m,f}') \
             LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
                 AND NOT a.attisdropped",
            &[&schemas, &names],
        )
        .await?;
    type Live = HashMap<String, (String, bool)>;
    let mut live: HashMap<(String, String), (bool, Live)> = HashMap::new();
    for row in rows {
        let key = (row.get::<_, String>(0), row.get::<_, String>(1));
        let entry = live
            .entry(key)
            .or_insert_with(|| (row.get(2), HashMap::new()));
        if let Some(column) = row.get::<_, Option<String>>(3) {
            entry.1.insert(column, (row.get(4), row.get(5)));
        }
    }
    for q in queries {
        for r in q.schema().map(|s| s.relations()).unwrap_or_default() {
            let shown = r.qualified();
            let kind = if r.is_view() { "view" } else { "table" };
            let Some((is_view, columns)) = live.get(&(r.schema().into(), r.name().into())) else {
                found.add(
                    format!("{kind} `{shown}` does not exist in the database"),
                    q,
                );
                continue;
            };
            for c in r.columns() {
                let Some((ty, not_null)) = columns.get(c.name()) else {
                    found.add(
                        format!(
                            "column `{shown}.{}` does not exist in the database",
                            c.name()
                        ),
                        q,
                    );
                    continue;
                };
                if ty != c.ty() {
                    found.add(
                        format!(
                            "column `{shown}.{}` is `{ty}` in the database; the statements \
                             were checked with `{}`",
                            c.name(),
                            c.ty()
                        ),
                        q,
                    );
                }
                match (c.not_null(), *not_null, *is_view) {
                    (Some(true), false, false) => found.add(
                        format!(
                            "column `{shown}.{}` may be NULL in the database; the statements \
                             were checked with it NOT NULL, so a NULL would fail to read",
                            c.name()
                        ),
                        q,
                    ),
                    (Some(false), true, false) => found.add(
                        format!(
                            "column `{shown}.{}` is NOT NULL in the database; the statements \
                             were checked with it nullable, so writing a NULL would fail",
                            c.name()
                        ),
                        q,
                    ),
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// Each statement prepared by the server, pipelined, and the types it
/// reports held against the compile-time ones. A statement already named
/// by a catalog difference is not reported again.
async fn check_statements(
    client: &Client,
    queries: &[&'static RegisteredQuery],
    found: &mut Found,
) -> Result<(), Error> {
    let to_prepare: Vec<&'static RegisteredQuery> = queries
        .iter()
        .copied()
        .filter(|q| !q.is_copy() && !found.involves(q))
        .collect();
    let prepared = join_all(to_prepare.iter().map(|q| client.prepare(q.sql()))).await;
    let mut oids: Vec<u32> = Vec::new();
    for statement in prepared.iter().flatten() {
        let types = statement
            .params()
            .iter()
            .chain(statement.columns().iter().map(|c| c.type_()));
        for t in types {
            if !oids.contains(&t.oid()) {
                oids.push(t.oid());
            }
        }
    }
    let names: HashMap<u32, String> = if oids.is_empty() {
        HashMap::new()
    } else {
        client
            .query(
                "SELECT o, format_type(o, NULL) FROM unnest($1::oid[]) AS o",
                &[&oids],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    };
    let name = |t: &tokio_postgres::types::Type| {
        names
            .get(&t.oid())
            .cloned()
            .unwrap_or_else(|| t.name().to_owned())
    };
    for (q, result) in to_prepare.iter().copied().zip(prepared) {
        let statement = match result {
            Ok(s) => s,
            Err(e) => {
                let why = match e.as_db_error() {
                    Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
                    None => Error::from(e).to_string(),
                };
                found.add(
                    format!("the server does not accept the statement: {why}"),
                    q,
                );
                continue;
            }
        };
        let Some(facts) = q.schema().filter(|s| s.typed()) else {
            continue;
        };
        let server_params: Vec<String> = statement.params().iter().map(name).collect();
        if server_params != facts.params() {
            found.add(
                format!(
                    "the server types the parameters ({}); the statement was checked with ({})",
                    server_params.join(", "),
                    facts.params().join(", ")
                ),
                q,
            );
        }
        let server_columns: Vec<(String, String)> = statement
            .columns()
            .iter()
            .map(|c| (c.name().to_owned(), name(c.type_())))
            .collect();
        let checked: Vec<(String, String)> = facts
            .columns()
            .iter()
            .map(|c| (c.name().to_owned(), c.ty().to_owned()))
            .collect();
        if server_columns != checked {
            let show = |cs: &[(String, String)]| {
                cs.iter()
                    .map(|(n, t)| format!("{n} {t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            found.add(
                format!(
                    "the server returns the columns ({}); the statement was checked with ({})",
                    show(&server_columns),
                    show(&checked)
                ),
                q,
            );
        }
    }
    Ok(())
}

//! The application role's table privileges against what the registered
//! statements need (see [`crate::registry`]): more than they use, or less.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::{Finding, FindingCode, Severity};
use crate::error::Error;
use crate::registry::{Privilege, RegisteredQuery};

/// Every table and view outside the system schemas, with each privilege
/// and whether the role holds it, and whether the role owns it (an
/// owner's privileges are `role-owns-tables`' business).
const HELD_SQL: &str = "SELECT n.nspname, c.relname, p.priv, \
        has_table_privilege(c.oid, p.priv), pg_has_role(c.relowner, 'USAGE') \
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
    CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p(priv) \
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') \
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
      AND n.nspname NOT LIKE 'pg\\_%'";

/// One privilege on one relation as the server reports it.
pub(crate) struct Held {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) privilege: Privilege,
    pub(crate) held: bool,
    pub(crate) owned: bool,
}

/// The grant findings for the role `client` is connected as. Nothing
/// when no registered statement knows what it uses.
pub(crate) async fn grant_findings(
    client: &Client,
    queries: &[&'static RegisteredQuery],
) -> Result<Vec<Finding>, Error> {
    if !queries.iter().any(|q| q.schema().is_some()) {
        return Ok(Vec::new());
    }
    let rows = client.query(HELD_SQL, &[]).await?;
    let held: Vec<Held> = rows
        .iter()
        .filter_map(|r| {
            let privilege = match r.get::<_, &str>(2) {
                "SELECT" => Privilege::Select,
                "INSERT" => Privilege::Insert,
                "UPDATE" => Privilege::Update,
                "DELETE" => Privilege::Delete,
                _ => return None,
            };
            Some(Held {
                schema: r.get(0),
                name: r.get(1),
                privilege,
                held: r.get(3),
                owned: r.get(4),
            })
        })
        .collect();
    Ok(compare(queries, &held))
}

/// How many items a finding lists before "and N more".
const SHOWN: usize = 10;

fn listed(items: &[String]) -> String {
    let mut list = items[..items.len().min(SHOWN)].join(", ");
    if items.len() > SHOWN {
        list.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    list
}

/// The findings from what the statements need and what the role holds.
pub(crate) fn compare(queries: &[&'static RegisteredQuery], held: &[Held]) -> Vec<Finding> {
    type Needed = BTreeMap<(String, String), BTreeMap<Privilege, Vec<&'static RegisteredQuery>>>;
    let mut needed: Needed = BTreeMap::new();
    for q in queries {
        for r in q.schema().map(|s| s.relations()).unwrap_or_default() {
            let by = needed
                .entry((r.schema().to_owned(), r.name().to_owned()))
                .or_default();
            for p in r.privileges() {
                by.entry(*p).or_default().push(q);
            }
        }
    }
    let shown = |schema: &str, name: &str| {
        if schema == "public" {
            name.to_owned()
        } else {
            format!("{schema}.{name}")
        }
    };
    let mut missing = Vec::new();
    let mut extra = Vec::new();
    for h in held {
        let key = (h.schema.clone(), h.name.clone());
        let users = needed.get(&key).and_then(|by| by.get(&h.privilege));
        match (h.held, users) {
            (false, Some(qs)) => missing.push(format!(
                "{} on {} (needed by {})",
                h.privilege.keyword(),
                shown(&h.schema, &h.name),
                qs.first().map(|q| q.to_string()).unwrap_or_default()
            )),
            (true, None) if !h.owned => extra.push(format!(
                "{} on {}",
                h.privilege.keyword(),
                shown(&h.schema, &h.name)
            )),
            _ => {}
        }
    }
    // A relation the statements need that the server does not have is
    // `Pool::verify_schema`'s to report, not a grant's.
    let mut findings = Vec::new();
    if !missing.is_empty() {
        findings.push(Finding {
            code: FindingCode::GrantsMissingForQueries,
            severity: Severity::Warning,
            message: format!(
                "the application role lacks {} privilege(s) that registered statements need, \
                 so they will fail with SQLSTATE 42501: {}; grant what \
                 secure_pg::required_grants prints",
                missing.len(),
                listed(&missing)
            ),
        });
    }
    // Only when every statement says what it uses: one that does not (a
    // crate without a schema, an `_unparsed` form) may use anything.
    let complete = queries.iter().all(|q| q.schema().is_some());
    if complete && !extra.is_empty() {
        findings.push(Finding {
            code: FindingCode::GrantsExceedQueries,
            severity: Severity::Warning,
            message: format!(
                "the application role holds {} privilege(s) that no registered statement \
                 uses: {}; revoke them, so that a flaw in the service cannot use them \
                 (secure_pg::required_grants prints what the statements need)",
                extra.len(),
                listed(&extra)
            ),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Scoping;

    fn held(name: &str, privilege: Privilege, held: bool, owned: bool) -> Held {
        Held {
            schema: "public".into(),
            name: name.into(),
            privilege,
            held,
            owned,
        }
    }

    static UPDATE: RegisteredQuery = RegisteredQuery::__from_macro(
        "UPDATE widgets SET qty = $1 WHERE id = $2",
        ("src/repo.rs", 7, 9),
        "secure_query",
        Scoping::NotScoped,
        Some("T\t1\nR\tpublic\twidgets\tt\tSU\n"),
    );
    static UNPARSED: RegisteredQuery = RegisteredQuery::__from_macro(
        "LISTEN x",
        ("src/repo.rs", 9, 9),
        "secure_query_unparsed",
        Scoping::NotScoped,
        None,
    );

    #[test]
    fn exact_grants_find_nothing() {
        let h = [
            held("widgets", Privilege::Select, true, false),
            held("widgets", Privilege::Update, true, false),
            held("widgets", Privilege::Delete, false, false),
        ];
        assert!(compare(&[&UPDATE], &h).is_empty());
    }

    #[test]
    fn more_and_less_are_each_a_finding() {
        let h = [
            held("widgets", Privilege::Select, true, false),
            held("widgets", Privilege::Update, false, false),
            held("widgets", Privilege::Delete, true, false),
            held("audit", Privilege::Select, true, false),
            // What the role owns is role-owns-tables' business.
            held("mine", Privilege::Delete, true, true),
        ];
        let f = compare(&[&UPDATE], &h);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].code, FindingCode::GrantsMissingForQueries);
        assert!(
            f[0].message
                .contains("UPDATE on widgets (needed by src/repo.rs:7:9 (secure_query!))"),
            "{}",
            f[0].message
        );
        assert_eq!(f[1].code, FindingCode::GrantsExceedQueries);
        assert!(
            f[1].message.contains("2 privilege(s) that no registered statement uses: DELETE on widgets, SELECT on audit;"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn extra_grants_are_not_reported_when_a_statement_does_not_say_what_it_uses() {
        let h = [
            held("widgets", Privilege::Select, true, false),
            held("widgets", Privilege::Update, true, false),
            held("audit", Privilege::Select, true, false),
        ];
        assert!(compare(&[&UPDATE, &UNPARSED], &h).is_empty());
    }
}

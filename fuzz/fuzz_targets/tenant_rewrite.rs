//! The tenant rewriter on arbitrary SQL: it must never panic, every rewrite
//! it accepts must re-parse into exactly the tree it built, and every base
//! table of the original statement (other than exempt tables and CTE
//! references) must carry the tenant predicate on its alias or name.
//!
//! The table list comes from sqlparser's own visitor over the *original*
//! statement, not from the rewriter, so a table the rewriter forgot to walk
//! is caught here.
#![no_main]

use std::collections::HashSet;
use std::ops::ControlFlow;

use libfuzzer_sys::fuzz_target;
use secure_pg_sql::tenant::{scope_statement, TenantOptions, TABLE_FUNCTION_ALLOW_LIST};
use sqlparser::ast::{Query, TableFactor, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

const TENANT_PARAM: usize = 7;

/// Base tables (as `qualifier` text) and CTE names of a statement.
#[derive(Default)]
struct Tables {
    qualifiers: Vec<(String, String)>,
    ctes: HashSet<String>,
}

impl Visitor for Tables {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.to_lowercase());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = factor
        {
            let last = name
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map(|i| i.value.to_lowercase())
                .unwrap_or_default();
            let qualifier = match alias {
                Some(alias) => alias.name.to_string(),
                None => name.to_string(),
            };
            self.qualifiers.push((last, qualifier));
        }
        ControlFlow::Continue(())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let opts = TenantOptions {
        exempt: vec!["currencies".into(), "countries".into()],
        ..TenantOptions::default()
    };
    let Ok(tree) = scope_statement(sql, &opts, TENANT_PARAM) else {
        return;
    };
    let text = tree.to_string();
    let reparsed = Parser::parse_sql(&PostgreSqlDialect {}, &text)
        .unwrap_or_else(|e| panic!("rewrite does not parse: {text}: {e}"));
    assert_eq!(reparsed, vec![tree], "rewrite re-parses differently: {text}");

    let original = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("accepted, so it parses");
    let mut tables = Tables::default();
    let _ = original.visit(&mut tables);
    for (last, qualifier) in &tables.qualifiers {
        if opts.exempt.iter().any(|e| e == last)
            || tables.ctes.contains(last)
            || TABLE_FUNCTION_ALLOW_LIST.contains(&last.as_str())
        {
            continue;
        }
        let predicate = format!("{qualifier}.{} = ${TENANT_PARAM}", opts.column);
        assert!(
            text.contains(&predicate),
            "`{qualifier}` is not filtered: {sql}\n  rewritten: {text}\n  missing: {predicate}"
        );
    }
});

//! The harvested corpus: every `secure_query!` and `secure_query_as!`
//! literal of the test suite and the examples, read from their source
//! with `syn` (so a query added to any test joins the corpus), every
//! variant of a dynamic one (enumerated by `secure_pg_sql::dynamic`, as the
//! macro enumerates them), and, inside a `#[tenant_scoped]` function,
//! rewritten by the tenant rewriter with the attribute's options, as the
//! attribute sends it.
//!
//! Each source file's queries run against the schema the file itself
//! declares (its `*SCHEMA` string constants: the tenant tests, the tenant
//! service example) or, for the others, `harvest.sql`, which gathers the
//! tables those tests create. The schema is applied to a database of its
//! own and loaded into a catalog, and every query is held against the
//! server's `PREPARE`:
//!
//! - typed by us: the parameter and column types and the column names
//!   must be the server's;
//! - refused by us where the server accepts it: counted, with the reason,
//!   which must tell the user what to write;
//! - refused by the server: we must refuse it too (nothing passes that
//!   cannot run);
//! - statements with nothing to type (`SET`, DDL) are counted apart.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use secure_pg_sql::dynamic::{variants, Part, MAX_VARIANTS};
use secure_pg_sql::schema::Catalog;
use secure_pg_sql::tenant::{scope_query, TenantOptions};
use secure_pg_sql::typecheck::check;
use syn::parse::{ParseStream, Parser};
use syn::visit::Visit;
use syn::{Expr, LitStr, Token};

use super::cluster;
use super::typecheck::{format_types, ours};
use crate::support::try_connect;

const HARVEST_SQL: &str = include_str!("harvest.sql");

/// One query literal as the macro sends it.
#[derive(Debug, Clone)]
struct Harvested {
    /// The source file, relative to the workspace.
    file: String,
    /// The SQL (rewritten when the function is `#[tenant_scoped]`).
    sql: String,
    /// Inside a `#[tenant_scoped]` function.
    tenant: bool,
}

/// Everything harvested from one source file.
#[derive(Default)]
struct FileHarvest {
    queries: Vec<Harvested>,
    /// The file's own `*SCHEMA` string constants.
    schema: Vec<String>,
    /// Tenant queries the rewriter refused (a test of a refusal).
    refused_by_rewriter: usize,
}

struct Visitor<'a> {
    file: &'a str,
    /// The file's directory.
    dir: &'a Path,
    tenant: Option<TenantOptions>,
    out: FileHarvest,
}

/// The options of `#[tenant_scoped(...)]`, read as the attribute reads
/// them (`column`, `column_type`, `exempt`); another option is a harvest
/// error, so that the corpus never silently rewrites differently.
fn tenant_options(attrs: &[syn::Attribute]) -> Option<TenantOptions> {
    let attr = attrs.iter().find(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "tenant_scoped")
    })?;
    let mut opts = TenantOptions::default();
    if matches!(attr.meta, syn::Meta::Path(_)) {
        return Some(opts);
    }
    attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("column") {
            opts.column = meta.value()?.parse::<LitStr>()?.value();
        } else if meta.path.is_ident("column_type") {
            opts.column_type = meta.value()?.parse::<LitStr>()?.value();
        } else if meta.path.is_ident("exempt") {
            let value = meta.value()?;
            let content;
            syn::bracketed!(content in value);
            while !content.is_empty() {
                let mut parts = Vec::new();
                loop {
                    if content.peek(LitStr) {
                        let lit: LitStr = content.parse()?;
                        parts.push(format!("\"{}\"", lit.value().replace('"', "\"\"")));
                    } else {
                        let ident: syn::Ident = syn::ext::IdentExt::parse_any(&content)?;
                        parts.push(syn::ext::IdentExt::unraw(&ident).to_string());
                    }
                    if content.peek(Token![.]) {
                        content.parse::<Token![.]>()?;
                    } else {
                        break;
                    }
                }
                opts.exempt.push(parts.join("."));
                if !content.is_empty() {
                    content.parse::<Token![,]>()?;
                }
            }
        } else if meta.path.is_ident("allow_macros") {
            // Macros declared query-free change nothing in the SQL.
            let value = meta.value()?;
            let content;
            syn::bracketed!(content in value);
            content.parse::<proc_macro2::TokenStream>()?;
        } else {
            return Err(meta.error("the harvest does not know this #[tenant_scoped] option"));
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{}", e));
    Some(opts)
}

/// A query macro's SQL, as the statements it can send: one for a plain
/// query, every variant for a dynamic one (each with its argument count:
/// the base's, then one for each included fragment that takes a value, as
/// `secure_pg_sql::dynamic` renumbers them), and whether it is marked
/// `unscoped = "..."`.
fn query_call(
    tokens: proc_macro2::TokenStream,
    has_row_type: bool,
) -> (Vec<(String, usize)>, bool) {
    let parser = |input: ParseStream<'_>| {
        let mut unscoped = false;
        if input.peek(syn::Ident) && input.peek2(Token![=]) {
            let key: syn::Ident = input.parse()?;
            assert_eq!(key, "unscoped", "an unknown query macro option");
            input.parse::<Token![=]>()?;
            input.parse::<LitStr>()?;
            input.parse::<Token![,]>()?;
            unscoped = true;
        }
        if has_row_type {
            input.parse::<syn::Type>()?;
            input.parse::<Token![,]>()?;
        }
        let sql: LitStr = input.parse()?;
        let mut args = 0;
        while !input.is_empty() && !input.peek(Token![;]) {
            input.parse::<Token![,]>()?;
            if input.is_empty() || input.peek(Token![;]) {
                continue;
            }
            input.parse::<Expr>()?;
            args += 1;
        }
        // Dynamic parts: `; if value => "fragment"` and `; match value {
        // Pattern => "fragment", ... }`, as the macro reads them.
        let mut parts = Vec::new();
        while input.peek(Token![;]) {
            input.parse::<Token![;]>()?;
            if input.is_empty() {
                break;
            }
            if input.peek(Token![if]) {
                input.parse::<Token![if]>()?;
                input.parse::<Expr>()?;
                input.parse::<Token![=>]>()?;
                let text: LitStr = input.parse()?;
                parts.push(Part::Optional { text: text.value() });
            } else {
                input.parse::<Token![match]>()?;
                Expr::parse_without_eager_brace(input)?;
                let body;
                syn::braced!(body in input);
                let mut arms = Vec::new();
                while !body.is_empty() {
                    syn::Pat::parse_multi_with_leading_vert(&body)?;
                    body.parse::<Token![=>]>()?;
                    arms.push(body.parse::<LitStr>()?.value());
                    if !body.is_empty() {
                        body.parse::<Token![,]>()?;
                    }
                }
                parts.push(Part::Choice { arms });
            }
        }
        if parts.is_empty() {
            return Ok((vec![(sql.value(), args)], unscoped));
        }
        let all = variants(&sql.value(), args as u32, &parts, MAX_VARIANTS)
            .unwrap_or_else(|e| panic!("a dynamic query the macro refuses: {}", e.message));
        let statements = all
            .into_iter()
            .map(|v| {
                let n = args + v.value_parts.len();
                (v.sql, n)
            })
            .collect();
        Ok((statements, unscoped))
    };
    parser
        .parse2(tokens)
        .unwrap_or_else(|e| panic!("a query macro the harvest cannot read: {e}"))
}

impl Visitor<'_> {
    /// Visits a function's body with its `#[tenant_scoped]` options, if it
    /// has the attribute (a nested function without it keeps the outer's,
    /// as the attribute rewrites every query of the body).
    fn in_function(&mut self, attrs: &[syn::Attribute], visit: impl FnOnce(&mut Self)) {
        let saved = self.tenant.clone();
        if let Some(opts) = tenant_options(attrs) {
            self.tenant = Some(opts);
        }
        visit(self);
        self.tenant = saved;
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.in_function(&f.attrs, |v| syn::visit::visit_item_fn(v, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.in_function(&f.attrs, |v| syn::visit::visit_impl_item_fn(v, f));
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        if c.ident.to_string().ends_with("SCHEMA") {
            match &*c.expr {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => self.out.schema.push(s.value()),
                // `include_str!("../migrations/x.sql")`, relative to the file.
                Expr::Macro(m) if m.mac.path.is_ident("include_str") => {
                    let rel: LitStr = m.mac.parse_body().expect("include_str! of a literal");
                    let path = self.dir.join(rel.value());
                    let sql = std::fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    self.out.schema.push(sql);
                }
                _ => panic!("{}: a *SCHEMA constant the harvest cannot read", self.file),
            }
        }
        syn::visit::visit_item_const(self, c);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let has_row_type = match name.as_str() {
            "secure_query" => false,
            "secure_query_as" => true,
            _ => {
                // Queries inside other macros (`assert_eq!`, `vec!`,
                // `tokio::join!`...) whose arguments are expressions.
                let exprs = syn::punctuated::Punctuated::<Expr, Token![,]>::parse_terminated
                    .parse2(m.tokens.clone());
                if let Ok(exprs) = exprs {
                    for e in &exprs {
                        self.visit_expr(e);
                    }
                }
                return;
            }
        };
        let (statements, unscoped) = query_call(m.tokens.clone(), has_row_type);
        for (sql, args) in statements {
            let (sql, tenant) = match (&self.tenant, unscoped) {
                (Some(opts), false) => match scope_query(&sql, opts, args + 1) {
                    Ok(scoped) => (scoped.sql, true),
                    Err(_) => {
                        self.out.refused_by_rewriter += 1;
                        continue;
                    }
                },
                _ => (sql, false),
            };
            self.out.queries.push(Harvested {
                file: self.file.to_owned(),
                sql,
                tenant,
            });
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The query literals of the test suite and the examples, by file.
fn harvest() -> BTreeMap<String, FileHarvest> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(&workspace.join("tests/tests"), &mut files);
    rust_files(&workspace.join("examples"), &mut files);
    let mut out = BTreeMap::new();
    for path in files {
        let rel = path
            .strip_prefix(workspace)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let ast = syn::parse_file(&source).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let mut v = Visitor {
            file: &rel,
            dir: path.parent().unwrap(),
            tenant: None,
            out: FileHarvest::default(),
        };
        v.visit_file(&ast);
        let found = v.out;
        if !found.queries.is_empty() {
            out.insert(rel, found);
        }
    }
    out
}

/// What the comparison found for one query.
pub(super) enum Outcome {
    /// Our types are the server's.
    Exact,
    /// A statement with nothing to type (`SET`, DDL): both accept it.
    Utility,
    /// We refuse a query the server accepts (the reason).
    Refused(String),
    /// Both refuse it.
    BothRefuse,
    /// A bug: our types differ from the server's.
    Mismatch(String),
    /// A bug: we accept what the server refuses.
    AcceptedRefusedByServer(String),
}

pub(super) async fn compare(
    client: &tokio_postgres::Client,
    catalog: &Catalog,
    sql: &str,
    cache: &mut HashMap<u32, String>,
) -> Outcome {
    let ours_typed = check(sql, catalog);
    let server = match client.prepare(sql).await {
        Ok(s) => s,
        Err(e) => {
            let why = e
                .as_db_error()
                .map_or(e.to_string(), |d| d.message().to_string());
            return match ours_typed {
                Err(_) => Outcome::BothRefuse,
                Ok(_) => Outcome::AcceptedRefusedByServer(why),
            };
        }
    };
    let t = match ours_typed {
        Ok(t) => t,
        Err(e) => {
            return Outcome::Refused(
                e.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
    };
    if !t.typed {
        return Outcome::Utility;
    }
    let params = format_types(
        client,
        &server.params().iter().map(|t| t.oid()).collect::<Vec<_>>(),
        cache,
    )
    .await;
    let types = format_types(
        client,
        &server
            .columns()
            .iter()
            .map(|c| c.type_().oid())
            .collect::<Vec<_>>(),
        cache,
    )
    .await;
    let columns: Vec<(String, String)> = server
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .zip(types)
        .collect();
    let (p, cols) = ours(&t);
    if p == params && cols == columns {
        Outcome::Exact
    } else {
        Outcome::Mismatch(format!(
            "ours:   {p:?} {cols:?}\n   server: {params:?} {columns:?}"
        ))
    }
}

/// A refusal must say what to write instead.
fn has_a_fix(reason: &str) -> bool {
    [
        "write",
        "use ",
        "cast",
        "add ",
        "declare",
        "`_unparsed`",
        "did you mean",
    ]
    .iter()
    .any(|w| reason.contains(w))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_typecheck_harvested_corpus_differential() {
    let harvest = harvest();
    let c = cluster();
    let mut by_file: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let (mut exact, mut utility, mut both_refuse, mut tenant_exact) = (0, 0, 0, 0);
    let (mut total, mut rewriter_refused) = (0, 0);
    let mut refused: Vec<String> = Vec::new();
    let mut bugs: Vec<String> = Vec::new();
    // One database per schema: the files with their own, and the rest.
    let mut groups: BTreeMap<String, (String, Vec<&Harvested>)> = BTreeMap::new();
    for (file, h) in &harvest {
        rewriter_refused += h.refused_by_rewriter;
        let (key, schema) = if h.schema.is_empty() {
            ("harvest".to_owned(), HARVEST_SQL.to_owned())
        } else {
            let stem = Path::new(file).file_stem().unwrap().to_string_lossy();
            (format!("harvest_{stem}"), h.schema.join("\n"))
        };
        let entry = groups.entry(key).or_insert_with(|| (schema, Vec::new()));
        entry.1.extend(&h.queries);
    }
    for (db, (schema, queries)) in &groups {
        c.psql(&format!("DROP DATABASE IF EXISTS {db}"));
        c.psql(&format!("CREATE DATABASE {db} OWNER app"));
        c.psql_db(db, schema);
        let catalog = Catalog::from_sql(format!("{db}.sql"), schema)
            .unwrap_or_else(|e| panic!("the schema of {db} does not load: {e}"));
        let url = c.superuser_url();
        let (base, options) = url.split_once('?').unwrap();
        let (base, _) = base.rsplit_once('/').unwrap();
        let (client, _) = try_connect(&format!("{base}/{db}?{options}"))
            .await
            .expect("connect");
        let mut cache = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for q in queries {
            if !seen.insert(q.sql.clone()) {
                continue;
            }
            total += 1;
            let counts = by_file.entry(&q.file).or_default();
            counts[0] += 1;
            match compare(&client, &catalog, &q.sql, &mut cache).await {
                Outcome::Exact => {
                    exact += 1;
                    counts[1] += 1;
                    tenant_exact += usize::from(q.tenant);
                }
                Outcome::Utility => utility += 1,
                Outcome::BothRefuse => both_refuse += 1,
                Outcome::Refused(why) => {
                    counts[2] += 1;
                    refused.push(format!("{}: {}\n   => {why}", q.file, q.sql));
                }
                Outcome::Mismatch(m) => {
                    counts[3] += 1;
                    bugs.push(format!("MISMATCH {}: {}\n   {m}", q.file, q.sql));
                }
                Outcome::AcceptedRefusedByServer(why) => {
                    counts[3] += 1;
                    bugs.push(format!(
                        "ACCEPTED, SERVER REFUSES {}: {}\n   => {why}",
                        q.file, q.sql
                    ));
                }
            }
        }
    }
    let typable = total - utility - both_refuse;
    println!(
        "harvested corpus: {total} distinct queries from {} files ({tenant_exact} typed tenant rewrites); \
         {exact} of {typable} typable typed exactly like the server ({:.1}%), {} refused with a reason, \
         {utility} with nothing to type, {both_refuse} refused by both; {} bugs; {rewriter_refused} refused by the rewriter",
        by_file.len(),
        100.0 * exact as f64 / typable.max(1) as f64,
        refused.len(),
        bugs.len()
    );
    for (file, [n, ok, no, bad]) in &by_file {
        println!("  {file}: {n} queries, {ok} typed, {no} refused, {bad} bugs");
    }
    for r in &refused {
        println!("refused: {r}");
    }
    for b in &bugs {
        println!("{b}");
    }
    assert!(bugs.is_empty(), "{}", bugs.join("\n"));
    let without_fix: Vec<&String> = refused
        .iter()
        .filter(|r| !has_a_fix(r.rsplit("=> ").next().unwrap_or("")))
        .collect();
    assert!(
        without_fix.is_empty(),
        "refusals that do not say what to write:\n{}",
        without_fix
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        total >= 400 && tenant_exact >= 200,
        "the harvest finds the suite's queries"
    );
    // Every variant of the dynamic queries (tests/it/dynamic.rs: 134, the
    // tenant-scoped ones as the attribute rewrites them) is typed exactly.
    let dynamic = by_file.get("tests/tests/it/dynamic.rs").copied();
    assert!(
        dynamic.is_some_and(|[n, ok, ..]| n >= 130 && ok == n),
        "the dynamic queries' variants: {dynamic:?}"
    );
}

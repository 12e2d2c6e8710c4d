//! Applying DDL statements to a [`Catalog`].
//!
//! Each statement is either understood (and changes the catalog, or is known
//! not to), on the allow-list of statements that cannot change its shape
//! (`allow`: classified by their words, without a parse), or not modelled:
//! then what it may change is left unknown (`unknown`:
//! [`Builder::leave_unknown`], the objects read from its words by
//! [`statement_targets`]). Routines, triggers, `DO` blocks and dynamic SQL
//! are `dynamic`'s; function signatures are read into the catalog here and
//! modelled in `schema::functions`. A statement marked `-- secure-pg: skip`
//! is not applied and counts as not modelled unless it cannot change the
//! shape.

use std::collections::BTreeMap;
use std::path::Path;

use sqlparser::ast::{
    AlterColumnOperation, AlterPolicyOperation, AlterTableOperation, AlterTypeAddValuePosition,
    AlterTypeOperation, ColumnDef, ColumnOption, CreatePolicyCommand, CreatePolicyType,
    CreateTable, Expr, GeneratedAs, ObjectName, ObjectNamePart, ObjectType, Owner,
    RenameTableNameKind, SchemaName, Statement, TableConstraint, UserDefinedTypeRepresentation,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::catalog::{
    Catalog, Check, Column, CompositeType, Domain, EnumType, ForeignKey, IndexEntry, Key, Name,
    Policy, PolicyCommand, QualifiedName, Resolved, RoutineBody, Table, Unmodelled,
    UnmodelledStatement, ValueSource, View,
};
use super::functions::{signature, Returns, Signature};
use super::split::{leading_words, split, words, Stmt, SKIP_MARKER};
use super::types::{canonical, BaseType, SqlType};
use super::view::view_columns;

// The builder's other concerns, one a module; they share this module's
// helpers (`use super::*`), and it theirs.
mod allow;
mod conditional;
mod dynamic;
mod inherit;
mod rename;
mod unknown;

use allow::*;
use conditional::conditional_steps;
use dynamic::*;
use inherit::split_like;
use unknown::*;

/// A failure inside one statement, before it gets its file and line.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) message: String,
}

type R<T> = Result<T, Fail>;

fn fail<T>(message: impl Into<String>) -> R<T> {
    Err(Fail {
        message: message.into(),
    })
}

/// Builds a catalog statement by statement, file by file.
#[derive(Debug)]
pub(crate) struct Builder {
    pub(crate) catalog: Catalog,
    search_path: Vec<Name>,
    /// The statement being applied (its reason empty), for effects that
    /// leave objects unknown although the statement itself is modelled
    /// (`DROP ... CASCADE`).
    current: Option<Unmodelled>,
    /// Routines of the migrations that run DDL.
    routines: Routines,
    /// Triggers that run one of those routines: the table's name and the
    /// routine's.
    fired: Vec<(Name, Name)>,
    /// Partitions and inheriting tables, as (parent, child): what changes
    /// a parent's columns changes theirs (see [`Builder::children_unknown`]).
    children: Vec<(QualifiedName, QualifiedName)>,
    /// Renamed relations: an old name and the relation it now is.
    old_names: Vec<(Name, QualifiedName)>,
    /// A constraint the catalog does not name was made (an exclusion
    /// constraint, a constraint trigger, a domain's check): whether a
    /// constraint name is free cannot be told.
    unnamed_constraints: bool,
    /// The names of each domain's check constraints, as created (a domain
    /// that has checks and no entry here, moved or renamed since, leaves
    /// them unknown).
    domain_constraints: BTreeMap<QualifiedName, Vec<Name>>,
    /// The columns `LIKE` copies into the table being created, and the
    /// table whose keys it copies (`INCLUDING INDEXES` or `ALL`).
    like_pending: Option<(Vec<Column>, Option<QualifiedName>)>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            catalog: Catalog::new(),
            search_path: vec![Name::unquoted("public")],
            current: None,
            routines: Routines::new(),
            fired: Vec::new(),
            children: Vec::new(),
            old_names: Vec::new(),
            unnamed_constraints: false,
            domain_constraints: BTreeMap::new(),
            like_pending: None,
        }
    }
}

impl Builder {
    /// Applies every statement of `sql` (the contents of `file`). A
    /// statement the loader cannot model leaves what it may change unknown
    /// (see [`Builder::leave_unknown`]); a file that cannot be split into
    /// statements leaves everything unknown from its start.
    pub(crate) fn apply_file(&mut self, file: &Path, sql: &str) {
        let stmts = match split(sql) {
            Ok(s) => s,
            Err((line, message)) => {
                let u = Unmodelled {
                    file: file.to_path_buf(),
                    line,
                    kind: "file".into(),
                    reason: format!("the file could not be split into statements: {message}"),
                };
                self.leave_unknown(u, None);
                return;
            }
        };
        // Each file starts with the default search path, as each migration
        // runs in a fresh session.
        self.search_path = vec![Name::unquoted("public")];
        for stmt in &stmts {
            self.current = Some(Unmodelled {
                file: file.to_path_buf(),
                line: stmt.line,
                kind: kind(&leading_words(stmt.text, 4)),
                reason: String::new(),
            });
            let outcome = if stmt.skip {
                let w = words(stmt.text);
                if let Some(name) = routine_definition(&w)
                    .and_then(|at| name_at(&w, at))
                    .and_then(|(n, _)| n.last().cloned())
                {
                    // Its body is not read: a statement calling it is not
                    // modelled, and leaves everything unknown; nor is its
                    // signature.
                    self.catalog.functions.retain(|q, _| q.name != name);
                    self.routines.insert(name, None);
                    Ok(())
                } else if cannot_change_shape(stmt.text, &self.routines) {
                    // (A skipped `DROP FUNCTION` still drops it.)
                    self.forget_functions(stmt.text);
                    Ok(())
                } else {
                    fail(format!(
                        "marked `-- {SKIP_MARKER}`, so what it changes is not modelled"
                    ))
                }
            } else {
                self.record_children(&words(stmt.text));
                self.apply(stmt)
            };
            let current = self.current.take();
            if let (Err(f), Some(mut u)) = (outcome, current) {
                u.reason = f.message;
                let targets =
                    statement_targets(&words(stmt.text), stmt.text, &self.routines, &self.fired);
                self.leave_unknown(u, targets);
            }
        }
    }

    /// `DROP FUNCTION` and `ALTER FUNCTION ... RENAME | SET SCHEMA`: whatever
    /// the argument list says, every overload of a name the statement
    /// mentions is forgotten (a call is refused, never mistyped).
    fn forget_functions(&mut self, text: &str) {
        let head = leading_words(text, 2);
        if !matches!(first_word(&head), Some("DROP" | "ALTER"))
            || !head
                .get(1)
                .is_some_and(|k| matches!(k.as_str(), "FUNCTION" | "PROCEDURE" | "ROUTINE"))
        {
            return;
        }
        let w = words(text);
        if head[0] == "ALTER"
            && !w
                .windows(2)
                .any(|p| p[0] == "RENAME" || (p[0] == "SET" && p[1] == "SCHEMA"))
        {
            return;
        }
        let names: Vec<Name> = w[2..].iter().filter_map(|x| word_name(x)).collect();
        self.catalog
            .functions
            .retain(|q, _| !names.contains(&q.name));
    }

    /// Records the signature of `CREATE [OR REPLACE] FUNCTION` (see
    /// [`super::functions`]); `at` is the index of its name in the words.
    /// A definition it cannot read forgets the name's signatures.
    fn record_signature(&mut self, text: &str, at: usize) {
        let w = words(text);
        let Some((parts, _)) = name_at(&w, at) else {
            return;
        };
        let q = match parts.as_slice() {
            [n] => match self.search_path.first() {
                Some(s) => QualifiedName::new(s.clone(), n.clone()),
                None => return,
            },
            [s, n] => QualifiedName::new(s.clone(), n.clone()),
            _ => return,
        };
        // A procedure is read as the function it would be (the SQL parser
        // reads PostgreSQL's `CREATE FUNCTION` and not its `CREATE
        // PROCEDURE`), without a result and without `OUT` parameters.
        let procedure = w.get(at.wrapping_sub(1)).is_some_and(|k| k == "PROCEDURE");
        let as_function;
        let text = if procedure {
            let Some(k) = text.to_ascii_uppercase().find("PROCEDURE") else {
                return;
            };
            as_function = format!("{}FUNCTION{}", &text[..k], &text[k + "PROCEDURE".len()..]);
            as_function.as_str()
        } else {
            text
        };
        let parsed = Parser::parse_sql(&PostgreSqlDialect {}, text);
        let ty = |dt: &sqlparser::ast::DataType| match self.column_type(dt) {
            Ok((t, false)) => Ok(t),
            Ok((_, true)) => Err("serial is not a type".to_string()),
            Err(f) => Err(f.message),
        };
        let sig = match parsed.as_deref() {
            Ok([Statement::CreateFunction(cf)]) if procedure => {
                let plain = cf.return_type.is_none()
                    && cf
                        .args
                        .iter()
                        .flatten()
                        .all(|a| matches!(a.mode, None | Some(sqlparser::ast::ArgMode::In)));
                let mut void = cf.clone();
                void.return_type = Some(sqlparser::ast::FunctionReturnType::DataType(
                    sqlparser::ast::DataType::Custom(
                        sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::new("void")]),
                        Vec::new(),
                    ),
                ));
                match plain {
                    true => signature(q.clone(), &void, &ty).map(|mut s| {
                        s.returns = Returns::Procedure;
                        s
                    }),
                    false => Err("a procedure with OUT parameters is not recorded".into()),
                }
            }
            Ok([Statement::CreateFunction(cf)]) => signature(q.clone(), cf, &ty),
            _ => Err("not read".into()),
        };
        match sig {
            Ok(sig) => {
                let list = self.catalog.functions.entry(q).or_default();
                let same = |a: &Signature| {
                    a.inputs
                        .iter()
                        .map(|x| &x.ty)
                        .eq(sig.inputs.iter().map(|x| &x.ty))
                };
                list.retain(|a| !same(a));
                list.push(sig);
            }
            Err(_) => {
                self.catalog.functions.remove(&q);
            }
        }
    }

    /// `SELECT` and `WITH` statements: `set_config('search_path', ...)`
    /// sets the search path; a query or a function call changes no shape
    /// (its result is discarded); `SELECT ... INTO t` creates a table the
    /// loader does not model.
    fn select(&mut self, text: &str, w: &[String]) -> R<()> {
        if select_into(w).is_some() {
            return self.select_into(text);
        }
        self.select_set_config(w)
    }

    /// `SELECT ... INTO [TABLE] t`: a table made as `CREATE TABLE t AS`
    /// would make it (see [`Builder::table_from_query`]).
    fn select_into(&mut self, text: &str) -> R<()> {
        let unmodelled =
            || fail("`SELECT ... INTO` creates a table whose columns the loader does not model");
        let Ok(mut st) = Parser::parse_sql(&PostgreSqlDialect {}, text) else {
            return unmodelled();
        };
        let [Statement::Query(query)] = st.as_mut_slice() else {
            return unmodelled();
        };
        let sqlparser::ast::SetExpr::Select(select) = query.body.as_mut() else {
            return unmodelled();
        };
        let Some(into) = select.into.take() else {
            return unmodelled();
        };
        let [Expr::Identifier(_) | Expr::CompoundIdentifier(_)] = into.targets.as_slice() else {
            return unmodelled();
        };
        if into.temporary {
            return unmodelled();
        }
        let name = match &into.targets[0] {
            Expr::Identifier(i) => ObjectName::from(vec![i.clone()]),
            Expr::CompoundIdentifier(is) => ObjectName::from(is.clone()),
            _ => return unmodelled(),
        };
        let q = self.qualify(&name)?;
        self.table_from_query(q, query, false)
    }

    /// `CREATE TABLE q AS query` (and `SELECT ... INTO q`): a column per
    /// output column, each traced to a table column whose type it takes,
    /// none NOT NULL and without a default (the server copies neither). An
    /// output column the loader cannot trace to a table column (an
    /// expression, a set operation, an outer join's nullable side) makes
    /// the table unknown.
    fn table_from_query(
        &mut self,
        q: QualifiedName,
        query: &sqlparser::ast::Query,
        if_not_exists: bool,
    ) -> R<()> {
        if self.catalog.tables.contains_key(&q) || self.catalog.views.contains_key(&q) {
            if if_not_exists {
                return Ok(());
            }
            return fail(format!("relation {q} already exists"));
        }
        if let Some(u) = self.reads_unknown(query) {
            return fail(u);
        }
        if if_not_exists
            && (self.catalog.unknown_rest.is_some()
                || self.catalog.unknown_relations.contains_key(&q))
        {
            // It may exist, in a shape the loader does not know.
            return Ok(());
        }
        let (columns, known) = view_columns(&self.catalog, &self.search_path, query);
        if !known {
            return fail("the columns of the query the table is made from are not modelled");
        }
        let mut out: Vec<Column> = Vec::new();
        for c in columns {
            let ty = match &c.source {
                super::catalog::ViewColumnSource::Column { table, column } => self
                    .catalog
                    .tables
                    .get(table)
                    .and_then(|t| t.column(column))
                    .map(|col| col.ty.clone()),
                super::catalog::ViewColumnSource::NeedsInference { .. } => None,
            };
            let Some(ty) = ty else {
                return fail(format!(
                    "the type of column {} of the query the table is made from is not modelled",
                    c.name
                ));
            };
            if out.iter().any(|o| o.name == c.name) {
                return fail(format!("column {} specified more than once", c.name));
            }
            out.push(Column {
                name: c.name,
                ty,
                not_null: false,
                value: ValueSource::None,
            });
        }
        self.catalog.unknown_relations.remove(&q);
        self.catalog.tables.insert(q.clone(), Table::new(q, out));
        Ok(())
    }

    /// `ALTER INDEX`: `RENAME TO` renames a unique key the catalog tracks;
    /// every other form (`SET (...)`, `SET TABLESPACE`, `ALTER COLUMN ...
    /// SET STATISTICS`, `ATTACH PARTITION`...) changes no shape.
    fn alter_index(&mut self, w: &[String]) -> R<()> {
        let mut i = 2;
        if w.get(i).is_some_and(|x| x == "IF") {
            i += 2;
        }
        let Some((old, next)) = name_at(w, i) else {
            return Ok(());
        };
        let (["RENAME", "TO"], Some(new)) = (
            [
                w.get(next).map_or("", String::as_str),
                w.get(next + 1).map_or("", String::as_str),
            ],
            w.get(next + 2).and_then(|x| word_name(x)),
        ) else {
            return Ok(());
        };
        let found = match old.as_slice() {
            [n] => self
                .search_path
                .iter()
                .map(|s| QualifiedName::new(s.clone(), n.clone()))
                .find(|q| self.catalog.indexes.contains_key(q)),
            [s, n] => Some(QualifiedName::new(s.clone(), n.clone())),
            _ => None,
        };
        let Some(oq) = found else { return Ok(()) };
        let Some(ix) = self.catalog.indexes.remove(&oq) else {
            return Ok(());
        };
        let nq = QualifiedName::new(oq.schema.clone(), new.clone());
        if let Some(t) = self.catalog.tables.get_mut(&ix.table) {
            for k in t.primary_key.iter_mut().chain(t.unique.iter_mut()) {
                if k.name == oq.name {
                    k.name = new.clone();
                }
            }
        }
        self.catalog.indexes.insert(nq, ix);
        Ok(())
    }

    fn apply(&mut self, stmt: &Stmt<'_>) -> R<()> {
        // The full word list is only needed for statements classified by
        // their tail (`ALTER ... OWNER TO`, pg_dump's identity options) or
        // read from their words (`SET`, `SELECT`, `WITH`, `DO`).
        let head = leading_words(stmt.text, 4);
        let w = match head.first().map(String::as_str) {
            Some("ALTER" | "SET" | "SELECT" | "WITH" | "DO") => words(stmt.text),
            Some("CREATE") if head.iter().any(|x| x == "RULE") => words(stmt.text),
            _ => head,
        };
        if let Some(at) = routine_definition(&w) {
            self.record_body(stmt.text, at);
            self.record_routine(stmt.text, at);
            self.record_signature(stmt.text, at);
            return Ok(());
        }
        self.forget_functions(stmt.text);
        let first = w.first().map(String::as_str);
        if first == Some("CREATE") && w.iter().any(|x| x == "TRIGGER") {
            return self.create_trigger(stmt.text);
        }
        if !self.routines.is_empty() && data_statement(first) {
            let all = words(stmt.text);
            let name = called(&all, &self.routines).next().map(|(n, _)| n.clone());
            if let Some(name) = name {
                return fail(format!(
                    "it calls `{name}`, a routine of the migrations whose body runs DDL the loader does not apply"
                ));
            }
            let hit = fired(&all, &self.fired, &self.routines).next().cloned();
            if let Some((table, routine)) = hit {
                return fail(format!(
                    "it writes `{table}`, whose trigger runs `{routine}`, a routine of the migrations whose body runs DDL the loader does not apply"
                ));
            }
        }
        if allowed(&w).is_some() {
            return Ok(());
        }
        match w.first().map(String::as_str) {
            Some("SET") => return self.set(&w),
            Some("SELECT" | "WITH") => return self.select(stmt.text, &w),
            Some("DO") => {
                if let Some(body) = do_body(stmt.text) {
                    self.record_dynamic_triggers(body);
                }
                if let Some(inner) = guarded_create(stmt.text) {
                    return self.apply_guarded(inner, stmt.line);
                }
                if let Some(steps) = conditional_steps(stmt.text) {
                    return self.apply_conditional(&steps, stmt.line);
                }
                return match do_body_targets(stmt.text, &self.routines) {
                    Some(t) if t.is_empty() => Ok(()),
                    _ => fail("`DO` blocks are not applied by the loader"),
                };
            }
            Some("CREATE") if w.get(1).is_some_and(|k| k == "DOMAIN") => {
                return self.create_domain(stmt.text)
            }
            Some("ALTER") if w.get(1).is_some_and(|k| k == "INDEX") => return self.alter_index(&w),
            Some("ALTER") => {
                if let Some(r) = self.attach_or_detach(&w) {
                    return r;
                }
                if let Some(r) = self.alter_set_schema(&w) {
                    return r;
                }
                if let Some(r) = self.alter_type_set_schema(&w) {
                    return r;
                }
                if let Some(r) = self.alter_view(&w) {
                    return r;
                }
            }
            _ => {}
        }
        // `CREATE TABLE t (LIKE s ...)`: the copied columns wait for the
        // statement without the clause.
        self.like_pending = None;
        let mut text = stmt.text;
        let without_like = match w.first().map(String::as_str) {
            Some("CREATE") => split_like(stmt.text),
            _ => None,
        };
        if let Some((clause, rest)) = &without_like {
            self.like_pending = Some(self.like_columns(clause)?);
            text = rest;
        }
        let stripped = strip_identity_sequence_options(text, &w)
            .or_else(|| strip_drop_index_concurrently(text, &w))
            .or_else(|| strip_with_data(text))
            .or_else(|| strip_unlogged(text, &w))
            .or_else(|| strip_index_on_only(text, &w));
        let parsed = Parser::parse_sql(&PostgreSqlDialect {}, stripped.as_deref().unwrap_or(text));
        let mut statements = match parsed {
            Ok(s) => s,
            Err(e) if understood_kind(&w) => {
                return Err(Fail {
                    message: format!(
                        "`{}` statement in the schema could not be parsed: {e}",
                        kind(&w)
                    ),
                })
            }
            Err(_) => return Err(not_understood(&w)),
        };
        if statements.len() != 1 {
            return fail("expected one statement");
        }
        self.statement(statements.remove(0), &w)
    }

    fn statement(&mut self, st: Statement, w: &[String]) -> R<()> {
        match st {
            Statement::CreateTable(ct) => self.create_table(ct),
            Statement::AlterTable(at) => {
                let table = self.existing_table(&at.name, at.if_exists)?;
                let Some(table) = table else { return Ok(()) };
                // `ALTER TABLE ONLY t ADD CONSTRAINT ...` (pg_dump's form)
                // does not reach the children: a partitioned table's
                // refuses a key its partitions' columns do not already
                // satisfy, an inheriting table keeps its nullable column.
                let only_constraints = at.only
                    && at.operations.iter().all(|op| {
                        matches!(
                            op,
                            AlterTableOperation::AddConstraint {
                                constraint: TableConstraint::PrimaryKey(_)
                                    | TableConstraint::Unique(_)
                                    | TableConstraint::Check(_)
                                    | TableConstraint::ForeignKey(_),
                                ..
                            }
                        )
                    });
                // `ADD COLUMN` reaches every partition and inheriting table,
                // appended to each; modelled when none has a column of the
                // name already (the server would merge them).
                let added: Option<Vec<Name>> = (!at.only)
                    .then(|| {
                        at.operations
                            .iter()
                            .map(|op| match op {
                                AlterTableOperation::AddColumn { column_def, .. } => {
                                    Some(Name::from_ident(&column_def.name))
                                }
                                _ => None,
                            })
                            .collect()
                    })
                    .flatten();
                let children = self.children_of(&table);
                let propagated = added.filter(|names| {
                    let parent = &self.catalog.tables[&table];
                    names.iter().all(|n| parent.column(n).is_none())
                        && children.iter().all(|c| {
                            names
                                .iter()
                                .all(|n| self.catalog.tables[c].column(n).is_none())
                        })
                });
                if !only_constraints && propagated.is_none() {
                    self.children_unknown(
                        &table,
                        "its parent was altered, which changes its partitions and inheriting tables too",
                    );
                }
                for op in at.operations {
                    self.alter_table(&table, op)?;
                }
                for name in propagated.unwrap_or_default() {
                    let Some(column) = self.catalog.tables[&table].column(&name).cloned() else {
                        continue;
                    };
                    if !matches!(column.value, ValueSource::None | ValueSource::Default(_)) {
                        // Identity and generated columns on children are
                        // not modelled.
                        self.children_unknown(
                            &table,
                            "its parent gained an identity or generated column, which its partitions and inheriting tables gain in a form the loader does not model",
                        );
                        break;
                    }
                    for c in &children {
                        self.table_mut(c)?.columns.push(column.clone());
                    }
                }
                Ok(())
            }
            Statement::CreateIndex(ci) => {
                let table = self.resolve(&ci.table_name)?;
                if self
                    .catalog
                    .views
                    .get(&table)
                    .is_some_and(|v| v.materialized)
                {
                    // A materialized view's index changes none of its
                    // columns (and `ON CONFLICT` cannot write to a view).
                    return Ok(());
                }
                if !self.catalog.tables.contains_key(&table) {
                    return fail(format!("index on unknown table {table}"));
                }
                let plain: Option<Vec<Name>> = ci
                    .columns
                    .iter()
                    .map(|c| match &c.column.expr {
                        Expr::Identifier(i) => Some(Name::from_ident(i)),
                        _ => None,
                    })
                    .collect();
                let name = match &ci.name {
                    // An index lives in its table's schema.
                    Some(n) => match parts(n)?.as_slice() {
                        [n] => n.clone(),
                        [s, n] if *s == table.schema => n.clone(),
                        _ => return fail("an index name is `name` in its table's schema"),
                    },
                    None => {
                        let written = ci
                            .columns
                            .iter()
                            .map(|c| expression_name(&c.column.expr))
                            .chain(ci.include.iter().map(Name::from_ident));
                        let base = join_names(&table.name, &index_name_columns(written), "idx");
                        self.unique_index_name(&table.schema, base)
                    }
                };
                let iq = QualifiedName::new(table.schema.clone(), name.clone());
                if self.catalog.indexes.contains_key(&iq) {
                    if ci.if_not_exists {
                        return Ok(());
                    }
                    return fail(format!("index {iq} already exists"));
                }
                let unique_key = ci.unique && plain.is_some();
                if unique_key {
                    let columns = plain.unwrap_or_default();
                    let t = self.table_mut(&table)?;
                    check_columns(t, &columns)?;
                    t.unique.push(Key {
                        name: name.clone(),
                        columns,
                        predicate: ci.predicate.as_ref().map(|p| p.to_string()),
                        index: Some(ci.include.iter().map(Name::from_ident).collect()),
                    });
                }
                self.catalog
                    .indexes
                    .insert(iq, IndexEntry { table, unique_key });
                Ok(())
            }
            Statement::CreateType {
                name,
                representation,
            } => {
                let q = self.qualify(&name)?;
                self.check_free_type(&q)?;
                match representation {
                    Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                        let labels = labels.into_iter().map(|l| l.value).collect();
                        self.catalog.enums.insert(
                            q.clone(),
                            EnumType {
                                name: q,
                                labels,
                            },
                        );
                        Ok(())
                    }
                    Some(UserDefinedTypeRepresentation::Composite { attributes }) => {
                        let mut out: Vec<(Name, SqlType)> = Vec::new();
                        for a in &attributes {
                            let name = Name::from_ident(&a.name);
                            if out.iter().any(|(n, _)| *n == name) {
                                return fail(format!("attribute {name} of {q} specified more than once"));
                            }
                            let (ty, serial) = self.column_type(&a.data_type)?;
                            if serial {
                                return fail("a composite type's attribute cannot be serial");
                            }
                            out.push((name, ty));
                        }
                        self.catalog.composites.insert(
                            q.clone(),
                            CompositeType {
                                name: q,
                                attributes: out,
                            },
                        );
                        Ok(())
                    }
                    _ => Err(Fail {
                        message: format!(
                            "`CREATE TYPE {q}`: only enum and composite types are supported (range and base types are not)"
                        ),
                    }),
                }
            }
            Statement::AlterType(at) => {
                let q = self.resolve_type_name(&at.name)?;
                let Some(e) = self.catalog.enums.get_mut(&q) else {
                    return fail(format!("`ALTER TYPE`: {q} is not a known enum type"));
                };
                match at.operation {
                    AlterTypeOperation::AddValue(add) => {
                        if e.labels.contains(&add.value.value) {
                            if add.if_not_exists {
                                return Ok(());
                            }
                            return fail(format!(
                                "enum label {:?} already exists",
                                add.value.value
                            ));
                        }
                        let at = match &add.position {
                            None => e.labels.len(),
                            Some(
                                AlterTypeAddValuePosition::Before(n)
                                | AlterTypeAddValuePosition::After(n),
                            ) => {
                                let Some(i) = e.labels.iter().position(|l| *l == n.value) else {
                                    return fail(format!(
                                        "enum label {:?} does not exist",
                                        n.value
                                    ));
                                };
                                match add.position {
                                    Some(AlterTypeAddValuePosition::After(_)) => i + 1,
                                    _ => i,
                                }
                            }
                        };
                        e.labels.insert(at, add.value.value);
                        Ok(())
                    }
                    AlterTypeOperation::RenameValue(r) => {
                        match e.labels.iter_mut().find(|l| **l == r.from.value) {
                            Some(l) => *l = r.to.value,
                            None => {
                                return fail(format!(
                                    "enum label {:?} does not exist",
                                    r.from.value
                                ))
                            }
                        }
                        Ok(())
                    }
                    AlterTypeOperation::Rename(r) => {
                        let new =
                            QualifiedName::new(q.schema.clone(), Name::from_ident(&r.new_name));
                        self.check_free_type(&new)?;
                        let mut e = self.catalog.enums.remove(&q).expect("checked above");
                        e.name = new.clone();
                        self.catalog.enums.insert(new.clone(), e);
                        self.retype(&q, BaseType::Enum(new.clone()));
                        Ok(())
                    }
                }
            }
            Statement::CreateView(cv) => {
                let q = self.qualify(&cv.name)?;
                if self.catalog.tables.contains_key(&q) {
                    return fail(format!("{q} is a table"));
                }
                if self.catalog.views.contains_key(&q) && !cv.or_replace {
                    if cv.if_not_exists {
                        return Ok(());
                    }
                    return fail(format!("view {q} already exists"));
                }
                if let Some(u) = self.reads_unknown(&cv.query) {
                    return fail(u);
                }
                if cv.if_not_exists
                    && self.catalog.unknown_rest.is_some()
                    && !self.catalog.views.contains_key(&q)
                {
                    // As for `CREATE TABLE IF NOT EXISTS`.
                    return Ok(());
                }
                if self.catalog.unknown_relations.contains_key(&q) {
                    if cv.if_not_exists {
                        return Ok(());
                    }
                    self.catalog.unknown_relations.remove(&q);
                }
                let (mut columns, known) =
                    view_columns(&self.catalog, &self.search_path, &cv.query);
                if !cv.columns.is_empty() {
                    if known && cv.columns.len() > columns.len() {
                        return fail("CREATE VIEW specifies more column names than columns");
                    }
                    for (c, n) in columns.iter_mut().zip(&cv.columns) {
                        c.name = Name::from_ident(&n.name);
                    }
                }
                self.catalog.views.insert(
                    q.clone(),
                    View {
                        name: q,
                        materialized: cv.materialized,
                        query: cv.query.to_string(),
                        columns,
                        columns_known: known,
                    },
                );
                Ok(())
            }
            Statement::CreatePolicy(cp) => {
                let table = self.resolve(&cp.table_name)?;
                let name = Name::from_ident(&cp.name);
                let t = self.table_mut(&table)?;
                if t.policies.iter().any(|p| p.name == name) {
                    return fail(format!("policy {name} on {table} already exists"));
                }
                t.policies.push(Policy {
                    name,
                    command: match cp.command {
                        None | Some(CreatePolicyCommand::All) => PolicyCommand::All,
                        Some(CreatePolicyCommand::Select) => PolicyCommand::Select,
                        Some(CreatePolicyCommand::Insert) => PolicyCommand::Insert,
                        Some(CreatePolicyCommand::Update) => PolicyCommand::Update,
                        Some(CreatePolicyCommand::Delete) => PolicyCommand::Delete,
                    },
                    permissive: !matches!(cp.policy_type, Some(CreatePolicyType::Restrictive)),
                    roles: cp.to.unwrap_or_default().iter().map(owner).collect(),
                    using: cp.using.map(|e| e.to_string()),
                    with_check: cp.with_check.map(|e| e.to_string()),
                });
                Ok(())
            }
            Statement::AlterPolicy(ap) => {
                let table = self.resolve(&ap.table_name)?;
                let name = Name::from_ident(&ap.name);
                let t = self.table_mut(&table)?;
                let Some(p) = t.policies.iter_mut().find(|p| p.name == name) else {
                    return fail(format!("policy {name} on {table} does not exist"));
                };
                match ap.operation {
                    AlterPolicyOperation::Rename { new_name } => {
                        p.name = Name::from_ident(&new_name)
                    }
                    AlterPolicyOperation::Apply {
                        to,
                        using,
                        with_check,
                    } => {
                        if let Some(to) = to {
                            p.roles = to.iter().map(owner).collect();
                        }
                        if let Some(u) = using {
                            p.using = Some(u.to_string());
                        }
                        if let Some(c) = with_check {
                            p.with_check = Some(c.to_string());
                        }
                    }
                }
                Ok(())
            }
            Statement::DropPolicy(dp) => {
                let table = self.resolve(&dp.table_name)?;
                let name = Name::from_ident(&dp.name);
                let Some(t) = self.catalog.tables.get_mut(&table) else {
                    return if dp.if_exists {
                        Ok(())
                    } else {
                        fail(format!("table {table} does not exist"))
                    };
                };
                let before = t.policies.len();
                t.policies.retain(|p| p.name != name);
                if t.policies.len() == before && !dp.if_exists {
                    return fail(format!("policy {name} on {table} does not exist"));
                }
                Ok(())
            }
            Statement::CreateSchema {
                schema_name,
                if_not_exists,
                ..
            } => {
                let name = match &schema_name {
                    SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => {
                        match one_part(n) {
                            Some(n) => n,
                            None => return fail("a schema name has one part"),
                        }
                    }
                    SchemaName::UnnamedAuthorization(role) => Name::from_ident(role),
                };
                if !self.catalog.schemas.insert(name.clone()) && !if_not_exists {
                    return fail(format!("schema {name} already exists"));
                }
                Ok(())
            }
            Statement::CreateExtension(ce) => {
                let name = Name::from_ident(&ce.name);
                let new = self.catalog.extensions.insert(name.clone());
                // The relations it creates are not modelled: unknown, so
                // that a query on them is refused, not called a typo.
                let made = EXTENSION_RELATIONS
                    .iter()
                    .find(|(e, _)| *e == name.as_str())
                    .map_or(&[][..], |(_, r)| *r);
                let schema = match &ce.schema {
                    Some(s) => Some(Name::from_ident(s)),
                    None => self.search_path.first().cloned(),
                };
                if let (true, false, Some(schema), Some(mut u)) =
                    (new, made.is_empty(), schema, self.current.clone())
                {
                    u.reason = format!(
                        "the extension `{name}` creates relations the loader does not model"
                    );
                    let targets = made
                        .iter()
                        .map(|r| (ObjKind::Relation, vec![schema.clone(), Name::unquoted(r)]))
                        .collect();
                    self.leave_unknown(u, Some(targets));
                }
                Ok(())
            }
            Statement::CreateSequence {
                name,
                if_not_exists,
                ..
            } => {
                let q = self.qualify(&name)?;
                if !self.catalog.sequences.insert(q.clone()) && !if_not_exists {
                    return fail(format!("sequence {q} already exists"));
                }
                Ok(())
            }
            Statement::Drop {
                object_type,
                if_exists,
                names,
                cascade,
                ..
            } => {
                // With CASCADE the server also drops what depends on them:
                // the views that may (the loader does not track
                // dependencies), and with a type the columns and domains of
                // that type, are left unknown until created again.
                let dependents: Vec<Target> = if cascade {
                    self.dependents(object_type, &names)
                } else {
                    Vec::new()
                };
                for n in &names {
                    self.drop(object_type, n, if_exists)?;
                }
                if cascade {
                    if let (false, Some(mut u)) = (dependents.is_empty(), self.current.clone()) {
                        u.reason = "views that depend on what it drops are dropped with it".into();
                        self.leave_unknown(u, Some(dependents));
                    }
                }
                Ok(())
            }
            Statement::DropDomain(dd) => {
                let q = self.resolve_type_name(&dd.name)?;
                if self.catalog.domains.remove(&q).is_none() && !dd.if_exists {
                    return fail(format!("domain {q} does not exist"));
                }
                Ok(())
            }
            Statement::DropExtension(de) => {
                for n in &de.names {
                    self.catalog.extensions.remove(&Name::from_ident(n));
                }
                Ok(())
            }
            // Data changes and transaction control leave the catalog alone.
            Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_)
            | Statement::StartTransaction { .. }
            | Statement::Commit { .. } => Ok(()),

            _ => Err(not_understood(w)),
        }
    }

    // ---- names ----------------------------------------------------------

    /// `schema.name` for an object being created: unqualified names go to the
    /// first schema of the search path.
    fn qualify(&self, name: &ObjectName) -> R<QualifiedName> {
        match parts(name)?.as_slice() {
            [n] => match self.search_path.first() {
                Some(s) => Ok(QualifiedName::new(s.clone(), n.clone())),
                None => fail("no schema has been selected to create in (the search path is empty)"),
            },
            [s, n] => {
                if !self.catalog.schemas.contains(s) {
                    return fail(format!("schema {s} does not exist"));
                }
                Ok(QualifiedName::new(s.clone(), n.clone()))
            }
            _ => fail(format!("`{name}`: expected `name` or `schema.name`")),
        }
    }

    /// `schema.name` of an existing table or view: unqualified names are
    /// looked up along the search path (the first schema when not found).
    fn resolve(&self, name: &ObjectName) -> R<QualifiedName> {
        let p = parts(name)?;
        if let [n] = p.as_slice() {
            for s in &self.search_path {
                let q = QualifiedName::new(s.clone(), n.clone());
                if self.catalog.tables.contains_key(&q)
                    || self.catalog.views.contains_key(&q)
                    || self.catalog.unknown_relations.contains_key(&q)
                {
                    return Ok(q);
                }
            }
        }
        self.qualify(name)
    }

    /// `schema.name` of an existing enum or domain.
    fn resolve_type_name(&self, name: &ObjectName) -> R<QualifiedName> {
        let p = parts(name)?;
        if let [n] = p.as_slice() {
            for s in &self.search_path {
                let q = QualifiedName::new(s.clone(), n.clone());
                if self.catalog.has_type(&q) || self.catalog.unknown_types.contains_key(&q) {
                    return Ok(q);
                }
            }
        }
        self.qualify(name)
    }

    /// Fails if type `q` exists. A type left unknown that is created
    /// again did not exist (the server refuses to create a type twice), so
    /// it is forgotten as unknown: the new definition is the type.
    fn check_free_type(&mut self, q: &QualifiedName) -> R<()> {
        if self.catalog.has_type(q) {
            return fail(format!("type {q} already exists"));
        }
        self.catalog.unknown_types.remove(q);
        Ok(())
    }

    fn existing_table(&self, name: &ObjectName, if_exists: bool) -> R<Option<QualifiedName>> {
        let q = self.resolve(name)?;
        if let Some(u) = self.catalog.unknown_relations.get(&q) {
            return fail(u.unknown_message(&format!("table `{q}`")));
        }
        if self.catalog.tables.contains_key(&q) {
            Ok(Some(q))
        } else if if_exists {
            Ok(None)
        } else if self.catalog.views.contains_key(&q) {
            fail(format!("`ALTER TABLE` on view {q} is not supported"))
        } else {
            fail(format!("table {q} does not exist"))
        }
    }

    fn table_mut(&mut self, q: &QualifiedName) -> R<&mut Table> {
        match self.catalog.tables.get_mut(q) {
            Some(t) => Ok(t),
            None => fail(format!("table {q} does not exist")),
        }
    }

    /// The canonical type of a column or domain.
    fn column_type(&self, dt: &sqlparser::ast::DataType) -> R<(SqlType, bool)> {
        let user = |parts: &[Name]| -> Result<BaseType, String> {
            let (candidates, found) = self.catalog.user_type(&self.search_path, parts)?;
            if let Some(found) = found {
                return Ok(found);
            }
            let shown = parts
                .iter()
                .map(Name::to_string)
                .collect::<Vec<_>>()
                .join(".");
            match candidates.first() {
                Some(q) if extension_type(&self.catalog.extensions, &q.name) => {
                    Ok(BaseType::External(q.clone()))
                }
                _ => Err(format!(
                    "unknown type `{shown}`: not built in, not a type of an extension the schema creates that secure-pg knows ({}), and no enum or domain of that name was created before this statement",
                    EXTENSION_TYPES.iter().map(|(e, _)| *e).collect::<Vec<_>>().join(", ")
                )),
            }
        };
        canonical(dt, &user)
            .map(|r| (r.ty, r.serial))
            .map_err(|message| Fail { message })
    }

    /// Records the index that backs a primary key or unique constraint
    /// (the name `ON CONFLICT ON CONSTRAINT` and `DROP INDEX` refer to).
    /// Gives `table` the primary and unique keys of `source`, named as the
    /// server names the copies it makes for a partition or for `LIKE ...
    /// INCLUDING INDEXES`: `<table>_pkey`; `<table>_<columns>_key` for a
    /// unique constraint; `<table>_<columns and included columns>_idx` for
    /// a unique index; each numbered while the name is taken. When
    /// `attaching` a partition, a key it already has (same columns,
    /// predicate and kind; any primary key) is kept, as the server attaches
    /// it instead of making one; a new table gets every key, repeats
    /// included.
    pub(super) fn copy_keys(
        &mut self,
        source: &QualifiedName,
        table: &QualifiedName,
        attaching: bool,
    ) -> R<()> {
        let Some(src) = self.catalog.tables.get(source).cloned() else {
            return Ok(());
        };
        if let Some(pk) = &src.primary_key {
            if self.table_mut(table)?.primary_key.is_none() {
                let base = Name::quoted(&format!("{}_pkey", table.name.as_str()));
                let name = self.unique_index_name(&table.schema, base);
                self.table_mut(table)?.primary_key = Some(Key {
                    name: name.clone(),
                    ..pk.clone()
                });
                self.register_key_index(table, name);
            }
        }
        for k in &src.unique {
            let t = self.table_mut(table)?;
            let same = |o: &Key| {
                o.columns == k.columns
                    && o.predicate == k.predicate
                    && o.index.is_some() == k.index.is_some()
            };
            if attaching && t.unique.iter().any(same) {
                continue;
            }
            let base = match &k.index {
                None => join_names(&table.name, &k.columns, "key"),
                Some(include) => join_names(
                    &table.name,
                    &index_name_columns(k.columns.iter().chain(include).cloned()),
                    "idx",
                ),
            };
            let name = self.unique_index_name(&table.schema, base);
            self.table_mut(table)?.unique.push(Key {
                name: name.clone(),
                ..k.clone()
            });
            self.register_key_index(table, name);
        }
        Ok(())
    }

    fn register_key_index(&mut self, table: &QualifiedName, name: Name) {
        self.catalog.indexes.insert(
            QualifiedName::new(table.schema.clone(), name),
            IndexEntry {
                table: table.clone(),
                unique_key: true,
            },
        );
    }

    // ---- tables ---------------------------------------------------------

    fn create_table(&mut self, ct: CreateTable) -> R<()> {
        let like = self.like_pending.take();
        let q = self.qualify(&ct.name)?;
        let unsupported = if ct.like.is_some() {
            Some("LIKE")
        } else if ct.query.is_some() && !ct.columns.is_empty() {
            Some("(columns) AS SELECT")
        } else if ct.clone.is_some() {
            Some("CLONE")
        } else if ct.temporary {
            Some("TEMPORARY")
        } else {
            None
        };
        if let Some(what) = unsupported {
            return Err(Fail {
                message: format!("`CREATE TABLE ... {what}` is not supported in the schema"),
            });
        }
        if let Some(query) = &ct.query {
            return self.table_from_query(q, query, ct.if_not_exists);
        }
        if self.catalog.tables.contains_key(&q) || self.catalog.views.contains_key(&q) {
            if ct.if_not_exists {
                return Ok(());
            }
            return fail(format!("relation {q} already exists"));
        }
        if ct.if_not_exists && self.catalog.unknown_rest.is_some() {
            // After a statement that named nothing identifiable, it may
            // exist in a shape the loader does not know: not creating it
            // leaves the name resolving as unknown.
            return Ok(());
        }
        if self.catalog.unknown_relations.contains_key(&q) {
            if ct.if_not_exists {
                // It may exist, in a shape the loader does not know: it
                // stays unknown.
                return Ok(());
            }
            // The server created it, so it did not exist: this is its shape.
            self.catalog.unknown_relations.remove(&q);
        }
        self.catalog
            .tables
            .insert(q.clone(), Table::new(q.clone(), Vec::new()));
        let result = (|| {
            let (inherited, keys_of) = match like {
                Some((columns, keys_of)) if ct.inherits.is_none() && ct.partition_of.is_none() => {
                    (columns, keys_of)
                }
                Some(_) => return fail("`LIKE` with `INHERITS` or `PARTITION OF` is not modelled"),
                None => {
                    // A partition has its parent's keys; an inheriting
                    // table none.
                    let parent = match &ct.partition_of {
                        Some(p) => Some(self.resolve(p)?),
                        None => None,
                    };
                    (self.inherited_columns(&ct)?, parent)
                }
            };
            self.table_mut(&q)?.columns = inherited;
            for c in &ct.columns {
                self.add_column(&q, c, false)?;
            }
            for tc in ct.constraints {
                self.add_constraint(&q, tc)?;
            }
            if let Some(source) = keys_of {
                self.copy_keys(&source, &q, false)?;
            }
            Ok(())
        })();
        if result.is_err() {
            self.catalog.tables.remove(&q);
        }
        result
    }

    fn add_column(&mut self, table: &QualifiedName, c: &ColumnDef, if_not_exists: bool) -> R<()> {
        let name = Name::from_ident(&c.name);
        let (ty, serial) = self.column_type(&c.data_type)?;
        if self.table_mut(table)?.column(&name).is_some() {
            if if_not_exists {
                return Ok(());
            }
            return fail(format!("column {name} of {table} specified more than once"));
        }
        let mut column = Column {
            name: name.clone(),
            ty,
            not_null: false,
            value: ValueSource::None,
        };
        if serial {
            let seq = QualifiedName::new(
                table.schema.clone(),
                Name::quoted(&format!("{}_{}_seq", table.name.as_str(), name.as_str())),
            );
            column.not_null = true;
            let shown = if seq.schema.as_str() == "public" {
                seq.name.to_string()
            } else {
                seq.to_string()
            };
            column.value = ValueSource::Default(format!("nextval('{shown}'::regclass)"));
            self.catalog.sequences.insert(seq);
        }
        let mut constraints = Vec::new();
        for opt in &c.options {
            match &opt.option {
                ColumnOption::Null => column.not_null = false,
                ColumnOption::NotNull => column.not_null = true,
                ColumnOption::Default(e) => {
                    if serial {
                        return fail("multiple default values for a serial column");
                    }
                    column.value = ValueSource::Default(e.to_string());
                }
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => {
                    column.value = match (generated_as, generation_expr) {
                        (_, Some(e)) => ValueSource::Generated(e.to_string()),
                        (GeneratedAs::Always, None) => ValueSource::Identity { always: true },
                        (GeneratedAs::ByDefault, None) => ValueSource::Identity { always: false },
                        (GeneratedAs::ExpStored, None) => {
                            return fail("generated column without an expression")
                        }
                    };
                    if matches!(column.value, ValueSource::Identity { .. }) {
                        column.not_null = true;
                    }
                }
                ColumnOption::PrimaryKey(pk) => {
                    let mut pk = pk.clone();
                    pk.name = pk.name.or_else(|| opt.name.clone());
                    pk.columns = vec![c.name.clone().into()];
                    constraints.push(TableConstraint::PrimaryKey(pk));
                }
                ColumnOption::Unique(u) => {
                    let mut u = u.clone();
                    u.name = u.name.or_else(|| opt.name.clone());
                    u.columns = vec![c.name.clone().into()];
                    constraints.push(TableConstraint::Unique(u));
                }
                ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.name = fk.name.or_else(|| opt.name.clone());
                    fk.columns = vec![c.name.clone()];
                    constraints.push(TableConstraint::ForeignKey(fk));
                }
                ColumnOption::Check(ch) => {
                    let name = match ch.name.as_ref().or(opt.name.as_ref()) {
                        Some(n) => Name::from_ident(n),
                        None => {
                            let t = self.table_mut(table)?;
                            default_check_name(t, Some(&name), &ch.expr)
                        }
                    };
                    self.table_mut(table)?.checks.push(Check {
                        name,
                        expr: ch.expr.to_string(),
                    });
                }
                ColumnOption::Collation(_) | ColumnOption::Comment(_) => {}
                other => {
                    return fail(format!(
                        "column option `{other}` of {table}.{name} is not supported"
                    ))
                }
            }
        }
        self.table_mut(table)?.columns.push(column);
        for tc in constraints {
            self.add_constraint(table, tc)?;
        }
        Ok(())
    }

    fn add_constraint(&mut self, table: &QualifiedName, tc: TableConstraint) -> R<()> {
        match tc {
            TableConstraint::PrimaryKey(pk) => {
                let columns = index_columns(&pk.columns)?;
                let t = self.table_mut(table)?;
                if t.primary_key.is_some() {
                    return fail(format!(
                        "multiple primary keys for table {table} are not allowed"
                    ));
                }
                check_columns(t, &columns)?;
                let name = match &pk.name {
                    Some(n) => Name::from_ident(n),
                    None => Name::quoted(&format!("{}_pkey", table.name.as_str())),
                };
                for c in &columns {
                    if let Some(col) = t.column_mut(c) {
                        col.not_null = true;
                    }
                }
                t.primary_key = Some(Key {
                    name: name.clone(),
                    columns,
                    predicate: None,
                    index: None,
                });
                self.register_key_index(table, name);
                Ok(())
            }
            TableConstraint::Unique(u) => {
                let columns = index_columns(&u.columns)?;
                let t = self.table_mut(table)?;
                check_columns(t, &columns)?;
                let name = match &u.name {
                    Some(n) => Name::from_ident(n),
                    None => default_constraint_name(t, &columns, "key"),
                };
                t.unique.push(Key {
                    name: name.clone(),
                    columns,
                    predicate: None,
                    index: None,
                });
                self.register_key_index(table, name);
                Ok(())
            }
            TableConstraint::ForeignKey(fk) => {
                let columns: Vec<Name> = fk.columns.iter().map(Name::from_ident).collect();
                let target = self.resolve(&fk.foreign_table)?;
                if self.catalog.unknown_relations.contains_key(&target) {
                    // The referenced table is unknown, so its columns cannot
                    // be checked: the foreign key is listed with the
                    // referenced columns as written (none when the key is
                    // implied), so that dropping it by name works.
                    let t = self.table_mut(table)?;
                    check_columns(t, &columns)?;
                    let name = match &fk.name {
                        Some(n) => Name::from_ident(n),
                        None => default_constraint_name(t, &columns, "fkey"),
                    };
                    t.foreign_keys.push(ForeignKey {
                        name,
                        columns,
                        references: target,
                        referred_columns: fk
                            .referred_columns
                            .iter()
                            .map(Name::from_ident)
                            .collect(),
                    });
                    return Ok(());
                }
                let Some(target_table) = self.catalog.tables.get(&target) else {
                    return fail(format!("foreign key references unknown table {target}"));
                };
                let referred: Vec<Name> = if fk.referred_columns.is_empty() {
                    match &target_table.primary_key {
                        Some(pk) => pk.columns.clone(),
                        None => {
                            return fail(format!(
                                "there is no primary key for referenced table {target}"
                            ))
                        }
                    }
                } else {
                    fk.referred_columns.iter().map(Name::from_ident).collect()
                };
                check_columns(target_table, &referred)?;
                if referred.len() != columns.len() {
                    return fail(
                        "number of referencing and referenced columns for foreign key disagree",
                    );
                }
                let t = self.table_mut(table)?;
                check_columns(t, &columns)?;
                let name = match &fk.name {
                    Some(n) => Name::from_ident(n),
                    None => default_constraint_name(t, &columns, "fkey"),
                };
                t.foreign_keys.push(ForeignKey {
                    name,
                    columns,
                    references: target,
                    referred_columns: referred,
                });
                Ok(())
            }
            TableConstraint::Check(ch) => {
                let t = self.table_mut(table)?;
                let name = match &ch.name {
                    Some(n) => Name::from_ident(n),
                    None => default_check_name(t, None, &ch.expr),
                };
                t.checks.push(Check {
                    name,
                    expr: ch.expr.to_string(),
                });
                Ok(())
            }
            // An exclusion constraint changes no column, and `ON CONFLICT
            // (columns)` cannot use it as an arbiter.
            TableConstraint::Exclude(_) => {
                self.unnamed_constraints = true;
                Ok(())
            }
            TableConstraint::PrimaryKeyUsingIndex(c) => self.key_using_index(table, c, true),
            TableConstraint::UniqueUsingIndex(c) => self.key_using_index(table, c, false),
            other => fail(format!("constraint `{other}` is not supported")),
        }
    }

    /// `ADD [CONSTRAINT c] PRIMARY KEY | UNIQUE USING INDEX i`: the unique
    /// index `i` on plain columns of `table` becomes the constraint, renamed
    /// to `c` when given (as PostgreSQL renames it).
    fn key_using_index(
        &mut self,
        table: &QualifiedName,
        c: sqlparser::ast::ConstraintUsingIndex,
        primary: bool,
    ) -> R<()> {
        let index = Name::from_ident(&c.index_name);
        let iq = QualifiedName::new(table.schema.clone(), index.clone());
        let tracked = self
            .catalog
            .indexes
            .get(&iq)
            .is_some_and(|ix| ix.unique_key && ix.table == *table);
        let t = self.table_mut(table)?;
        let at = t.unique.iter().position(|k| k.name == index);
        let (true, Some(at)) = (tracked, at) else {
            return fail(format!(
                "index {iq} is not a unique index on plain columns of {table} that the loader knows"
            ));
        };
        if t.unique[at].predicate.is_some() {
            return fail(format!(
                "index {iq} is partial; it cannot back a constraint"
            ));
        }
        let name = c.name.as_ref().map_or(index, Name::from_ident);
        if primary {
            if t.primary_key.is_some() {
                return fail(format!(
                    "multiple primary keys for table {table} are not allowed"
                ));
            }
            let mut key = t.unique.remove(at);
            for col in &key.columns {
                if let Some(col) = t.column_mut(col) {
                    col.not_null = true;
                }
            }
            key.name = name.clone();
            t.primary_key = Some(key);
        } else {
            t.unique[at].name = name.clone();
        }
        let ix = self.catalog.indexes.remove(&iq).expect("checked above");
        self.catalog
            .indexes
            .insert(QualifiedName::new(table.schema.clone(), name), ix);
        Ok(())
    }

    fn alter_table(&mut self, table: &QualifiedName, op: AlterTableOperation) -> R<()> {
        match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                column_position: None,
                ..
            } => self.add_column(table, &column_def, if_not_exists),
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                let t = self.table_mut(table)?;
                for c in column_names.iter().map(Name::from_ident) {
                    if t.column(&c).is_none() {
                        if if_exists {
                            continue;
                        }
                        return fail(format!("column {c} of {table} does not exist"));
                    }
                    t.columns.retain(|x| x.name != c);
                    // PostgreSQL drops the constraints and indexes using it.
                    let uses = |cols: &[Name]| cols.contains(&c);
                    if t.primary_key.as_ref().is_some_and(|k| uses(&k.columns)) {
                        t.primary_key = None;
                    }
                    t.unique.retain(|k| !uses(&k.columns));
                    t.foreign_keys.retain(|k| !uses(&k.columns));
                }
                self.drop_dangling_indexes(table);
                Ok(())
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let old = Name::from_ident(&old_column_name);
                let new = Name::from_ident(&new_column_name);
                let t = self.table_mut(table)?;
                if t.column(&new).is_some() {
                    return fail(format!("column {new} of {table} already exists"));
                }
                let Some(c) = t.column_mut(&old) else {
                    return fail(format!("column {old} of {table} does not exist"));
                };
                c.name = new.clone();
                let rename = |cols: &mut Vec<Name>| {
                    for c in cols.iter_mut() {
                        if *c == old {
                            *c = new.clone();
                        }
                    }
                };
                if let Some(k) = &mut t.primary_key {
                    rename(&mut k.columns);
                }
                t.unique.iter_mut().for_each(|k| rename(&mut k.columns));
                t.foreign_keys
                    .iter_mut()
                    .for_each(|k| rename(&mut k.columns));
                for other in self.catalog.tables.values_mut() {
                    for fk in &mut other.foreign_keys {
                        if fk.references == *table {
                            rename(&mut fk.referred_columns);
                        }
                    }
                }
                Ok(())
            }
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::To(n) | RenameTableNameKind::As(n)) = table_name;
                let [new] = parts(&n)?.try_into().map_err(|_| Fail {
                    message: "`RENAME TO` takes an unqualified name".into(),
                })?;
                let nq = QualifiedName::new(table.schema.clone(), new);
                if self.catalog.tables.contains_key(&nq) || self.catalog.views.contains_key(&nq) {
                    return fail(format!("relation {nq} already exists"));
                }
                let mut t = self.catalog.tables.remove(table).expect("resolved above");
                t.name = nq.clone();
                self.catalog.tables.insert(nq.clone(), t);
                self.renamed(table, &nq);
                for other in self.catalog.tables.values_mut() {
                    for fk in &mut other.foreign_keys {
                        if fk.references == *table {
                            fk.references = nq.clone();
                        }
                    }
                }
                for ix in self.catalog.indexes.values_mut() {
                    if ix.table == *table {
                        ix.table = nq.clone();
                    }
                }
                Ok(())
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let name = Name::from_ident(&column_name);
                let new_type = match &op {
                    AlterColumnOperation::SetDataType { data_type, .. } => {
                        let (ty, serial) = self.column_type(data_type)?;
                        if serial {
                            return fail("type serial does not exist (use integer and a default)");
                        }
                        Some(ty)
                    }
                    _ => None,
                };
                let t = self.table_mut(table)?;
                let in_pk = t
                    .primary_key
                    .as_ref()
                    .is_some_and(|k| k.columns.contains(&name));
                let Some(c) = t.column_mut(&name) else {
                    return fail(format!("column {name} of {table} does not exist"));
                };
                match op {
                    AlterColumnOperation::SetNotNull => c.not_null = true,
                    AlterColumnOperation::DropNotNull => {
                        if in_pk {
                            return fail(format!("column {name} is in a primary key"));
                        }
                        if matches!(c.value, ValueSource::Identity { .. }) {
                            return fail(format!("column {name} is an identity column"));
                        }
                        c.not_null = false;
                    }
                    AlterColumnOperation::SetDefault { value } => {
                        if matches!(
                            c.value,
                            ValueSource::Identity { .. } | ValueSource::Generated(_)
                        ) {
                            return fail(format!(
                                "column {name} is an identity or generated column"
                            ));
                        }
                        c.value = ValueSource::Default(value.to_string());
                    }
                    AlterColumnOperation::DropDefault => {
                        if matches!(c.value, ValueSource::Default(_)) {
                            c.value = ValueSource::None;
                        }
                    }
                    AlterColumnOperation::SetDataType { .. } => {
                        c.ty = new_type.expect("computed above");
                    }
                    AlterColumnOperation::AddGenerated { generated_as, .. } => {
                        if !matches!(c.value, ValueSource::None) {
                            return fail(format!(
                                "column {name} already has a default or is generated"
                            ));
                        }
                        c.value = ValueSource::Identity {
                            always: !matches!(generated_as, Some(GeneratedAs::ByDefault)),
                        };
                        c.not_null = true;
                    }
                    other => return fail(format!("`ALTER COLUMN ... {other}` is not supported")),
                }
                Ok(())
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                self.add_constraint(table, constraint)
            }
            AlterTableOperation::DropConstraint {
                name, if_exists, ..
            } => {
                let name = Name::from_ident(&name);
                let t = self.table_mut(table)?;
                let before = t.constraint_names().count();
                if t.primary_key.as_ref().is_some_and(|k| k.name == name) {
                    t.primary_key = None;
                }
                // A unique index is no constraint.
                t.unique.retain(|k| k.name != name || k.index.is_some());
                t.foreign_keys.retain(|k| k.name != name);
                t.checks.retain(|k| k.name != name);
                if t.constraint_names().count() == before && !if_exists {
                    return fail(format!(
                        "constraint {name} of relation {table} does not exist"
                    ));
                }
                self.drop_dangling_indexes(table);
                Ok(())
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                let (old, new) = (Name::from_ident(&old_name), Name::from_ident(&new_name));
                let t = self.table_mut(table)?;
                let mut found = false;
                let mut rename = |n: &mut Name| {
                    if *n == old {
                        *n = new.clone();
                        found = true;
                    }
                };
                if let Some(k) = &mut t.primary_key {
                    rename(&mut k.name);
                }
                t.unique.iter_mut().for_each(|k| rename(&mut k.name));
                t.foreign_keys.iter_mut().for_each(|k| rename(&mut k.name));
                t.checks.iter_mut().for_each(|k| rename(&mut k.name));
                if !found {
                    return fail(format!(
                        "constraint {old} of relation {table} does not exist"
                    ));
                }
                let (oq, nq) = (
                    QualifiedName::new(table.schema.clone(), old),
                    QualifiedName::new(table.schema.clone(), new),
                );
                if let Some(ix) = self.catalog.indexes.remove(&oq) {
                    self.catalog.indexes.insert(nq, ix);
                }
                Ok(())
            }
            AlterTableOperation::EnableRowLevelSecurity => {
                self.table_mut(table)?.rls_enabled = true;
                Ok(())
            }
            AlterTableOperation::DisableRowLevelSecurity => {
                self.table_mut(table)?.rls_enabled = false;
                Ok(())
            }
            AlterTableOperation::ForceRowLevelSecurity => {
                self.table_mut(table)?.rls_forced = true;
                Ok(())
            }
            AlterTableOperation::NoForceRowLevelSecurity => {
                self.table_mut(table)?.rls_forced = false;
                Ok(())
            }
            // No effect on what queries can see.
            AlterTableOperation::OwnerTo { .. }
            | AlterTableOperation::EnableTrigger { .. }
            | AlterTableOperation::DisableTrigger { .. }
            | AlterTableOperation::EnableAlwaysTrigger { .. }
            | AlterTableOperation::EnableReplicaTrigger { .. }
            | AlterTableOperation::ReplicaIdentity { .. }
            | AlterTableOperation::SetLogged
            | AlterTableOperation::SetUnlogged => Ok(()),
            other => Err(Fail {
                message: format!("`ALTER TABLE {table} {other}` is not supported"),
            }),
        }
    }

    /// Forgets index entries for keys a table no longer has.
    fn drop_dangling_indexes(&mut self, table: &QualifiedName) {
        let Some(t) = self.catalog.tables.get(table) else {
            return;
        };
        let keys: Vec<Name> = t
            .primary_key
            .iter()
            .chain(&t.unique)
            .map(|k| k.name.clone())
            .collect();
        self.catalog
            .indexes
            .retain(|q, ix| ix.table != *table || !ix.unique_key || keys.contains(&q.name));
    }

    fn unique_index_name(&self, schema: &Name, base: Name) -> Name {
        let mut name = base.clone();
        let mut n = 1;
        // Any relation of the schema takes the name (PostgreSQL's
        // `ChooseRelationName`).
        let taken = |name: &Name| {
            let q = QualifiedName::new(schema.clone(), name.clone());
            self.catalog.indexes.contains_key(&q)
                || self.catalog.tables.contains_key(&q)
                || self.catalog.views.contains_key(&q)
                || self.catalog.sequences.contains(&q)
        };
        while taken(&name) {
            name = Name::quoted(&format!("{}{n}", base.as_str()));
            n += 1;
        }
        name
    }

    /// Replaces references to type `old` by `new` in columns and domains.
    fn retype(&mut self, old: &QualifiedName, base: BaseType) {
        let matches = |b: &BaseType| type_uses(b, old);
        for t in self.catalog.tables.values_mut() {
            for c in &mut t.columns {
                if matches(&c.ty.base) {
                    c.ty.base = base.clone();
                }
            }
        }
        for d in self.catalog.domains.values_mut() {
            if matches(&d.base.base) {
                d.base.base = base.clone();
            }
        }
        for c in self.catalog.composites.values_mut() {
            for (_, ty) in &mut c.attributes {
                if matches(&ty.base) {
                    ty.base = base.clone();
                }
            }
        }
    }

    // ---- drop -----------------------------------------------------------

    fn drop(&mut self, kind: ObjectType, name: &ObjectName, if_exists: bool) -> R<()> {
        let missing = |what: &str, q: &QualifiedName| -> R<()> {
            if if_exists {
                Ok(())
            } else {
                fail(format!("{what} {q} does not exist"))
            }
        };
        // `DROP ... IF EXISTS other.t` where the schema `other` does not
        // exist is a notice in PostgreSQL, not an error.
        if if_exists {
            if let [s, _] = parts(name)?.as_slice() {
                if !self.catalog.schemas.contains(s) && kind != ObjectType::Schema {
                    return Ok(());
                }
            }
        }
        match kind {
            ObjectType::Table => {
                let q = self.resolve(name)?;
                if self.catalog.unknown_relations.remove(&q).is_some() {
                    return Ok(());
                }
                if self.catalog.tables.remove(&q).is_none() {
                    return missing("table", &q);
                }
                self.children_unknown(
                    &q,
                    "its parent was dropped (with its partitions, or by `CASCADE`)",
                );
                for t in self.catalog.tables.values_mut() {
                    t.foreign_keys.retain(|f| f.references != q);
                }
                self.catalog.indexes.retain(|_, ix| ix.table != q);
                Ok(())
            }
            ObjectType::View | ObjectType::MaterializedView => {
                let q = self.resolve(name)?;
                if self.catalog.unknown_relations.remove(&q).is_some() {
                    return Ok(());
                }
                if self.catalog.views.remove(&q).is_none() {
                    return missing("view", &q);
                }
                Ok(())
            }
            ObjectType::Type => {
                let q = self.resolve_type_name(name)?;
                if self.catalog.unknown_types.remove(&q).is_some() {
                    return Ok(());
                }
                if self.catalog.enums.remove(&q).is_none()
                    && self.catalog.domains.remove(&q).is_none()
                    && self.catalog.composites.remove(&q).is_none()
                {
                    return missing("type", &q);
                }
                Ok(())
            }
            ObjectType::Sequence => {
                let q = self.qualify(name)?;
                let q = if parts(name)?.len() == 1 {
                    self.search_path
                        .iter()
                        .map(|s| QualifiedName::new(s.clone(), q.name.clone()))
                        .find(|c| self.catalog.sequences.contains(c))
                        .unwrap_or(q)
                } else {
                    q
                };
                if !self.catalog.sequences.remove(&q) {
                    return missing("sequence", &q);
                }
                Ok(())
            }
            ObjectType::Index => {
                let p = parts(name)?;
                let found = match p.as_slice() {
                    [n] => self
                        .search_path
                        .iter()
                        .map(|s| QualifiedName::new(s.clone(), n.clone()))
                        .find(|q| self.catalog.indexes.contains_key(q)),
                    [s, n] => Some(QualifiedName::new(s.clone(), n.clone())),
                    _ => return fail("an index name has at most two parts"),
                };
                let Some(ix) =
                    found.and_then(|q| self.catalog.indexes.remove(&q).map(|ix| (q, ix)))
                else {
                    // Non-unique indexes the loader skipped on purpose are
                    // not tracked; dropping one changes nothing.
                    return Ok(());
                };
                let (q, ix) = ix;
                if let Some(t) = self.catalog.tables.get_mut(&ix.table) {
                    if t.primary_key.as_ref().is_some_and(|k| k.name == q.name) {
                        return fail(format!(
                            "index {q} backs the primary key; drop the constraint instead"
                        ));
                    }
                    t.unique.retain(|k| k.name != q.name);
                }
                Ok(())
            }
            ObjectType::Schema => {
                let [s] = parts(name)?.try_into().map_err(|_| Fail {
                    message: "a schema name has one part".into(),
                })?;
                if !self.catalog.schemas.remove(&s) {
                    return if if_exists {
                        Ok(())
                    } else {
                        fail(format!("schema {s} does not exist"))
                    };
                }
                self.catalog.tables.retain(|q, _| q.schema != s);
                self.catalog.views.retain(|q, _| q.schema != s);
                self.catalog.enums.retain(|q, _| q.schema != s);
                self.catalog.domains.retain(|q, _| q.schema != s);
                self.catalog.composites.retain(|q, _| q.schema != s);
                self.catalog.functions.retain(|q, _| q.schema != s);
                self.catalog.sequences.retain(|q| q.schema != s);
                self.catalog.indexes.retain(|q, _| q.schema != s);
                Ok(())
            }
            other => Err(Fail {
                message: format!("`DROP {other}` is not understood by secure-pg"),
            }),
        }
    }

    // ---- statements read from their words ------------------------------

    /// `SET ...`: only `search_path` matters; every other setting is on the
    /// allow-list.
    fn set(&mut self, w: &[String]) -> R<()> {
        let mut i = 1;
        if matches!(w.get(i).map(String::as_str), Some("SESSION" | "LOCAL")) {
            i += 1;
        }
        if w.get(i).map(String::as_str) != Some("SEARCH_PATH") {
            return Ok(());
        }
        i += 1;
        if !matches!(w.get(i).map(String::as_str), Some("TO" | "=")) {
            return fail("expected `SET search_path TO ...`");
        }
        let mut path = Vec::new();
        for item in &w[i + 1..] {
            if item == "," {
                continue;
            }
            if item == "DEFAULT" {
                path = vec![Name::unquoted("public")];
                break;
            }
            if let Some(n) = word_name(item) {
                path.push(n);
            }
        }
        self.set_path(path);
        Ok(())
    }

    fn set_path(&mut self, path: Vec<Name>) {
        // `"$user"` and `pg_catalog` never hold the schema's objects.
        self.search_path = path
            .into_iter()
            .filter(|n| n.as_str() != "$user" && n.as_str() != "pg_catalog")
            .collect();
    }

    /// `SELECT pg_catalog.set_config('search_path', '...', false)`, as
    /// pg_dump writes it, sets the search path; any other query passes.
    /// `set_config` anywhere else in a statement is an error (it may set
    /// the search path in a way the loader cannot follow).
    fn select_set_config(&mut self, w: &[String]) -> R<()> {
        let tail: Vec<&str> = w.iter().map(String::as_str).collect();
        let args = match tail.as_slice() {
            ["SELECT", "PG_CATALOG", ".", "SET_CONFIG", "(", rest @ ..] => rest,
            ["SELECT", "SET_CONFIG", "(", rest @ ..] => rest,
            _ if tail.contains(&"SET_CONFIG") => {
                return fail("`set_config` inside a query: the loader cannot follow the setting")
            }
            _ => return Ok(()),
        };
        match args {
            [setting, ",", value, ",", _, ")"] => {
                if setting.eq_ignore_ascii_case("'search_path'") {
                    let value = value.trim_matches('\'');
                    let path = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .filter_map(word_name)
                        .collect();
                    self.set_path(path);
                }
                Ok(())
            }
            _ => fail("`set_config` with unexpected arguments"),
        }
    }

    /// `CREATE DOMAIN`: sqlparser does not read `NOT NULL`/`NULL` there, so
    /// those words are taken out before the parse.
    fn create_domain(&mut self, text: &str) -> R<()> {
        let (stripped, not_null) = strip_domain_nullability(text);
        let st = Parser::parse_sql(&PostgreSqlDialect {}, &stripped).map_err(|e| Fail {
            message: format!("`CREATE DOMAIN` statement could not be parsed: {e}"),
        })?;
        let [Statement::CreateDomain(cd)] = st.as_slice() else {
            return fail("expected one `CREATE DOMAIN` statement");
        };
        let q = self.qualify(&cd.name)?;
        self.check_free_type(&q)?;
        let (base, serial) = self.column_type(&cd.data_type)?;
        if serial {
            return fail("type serial does not exist");
        }
        // A domain over a domain: keep the innermost base, accumulate NOT NULL.
        let (base, inherited_not_null) = match &base.base {
            BaseType::Domain(inner) if !base.array => {
                let d = &self.catalog.domains[inner];
                (d.base.clone(), d.not_null)
            }
            _ => (base, false),
        };
        let mut checks = Vec::new();
        let mut names: Vec<Name> = Vec::new();
        for c in &cd.constraints {
            match c {
                TableConstraint::Check(ch) => {
                    checks.push(ch.expr.to_string());
                    // `<domain>_check`, numbered while taken.
                    let name = match &ch.name {
                        Some(n) => Name::from_ident(n),
                        None => {
                            let base = format!("{}_check", q.name.as_str());
                            let mut name = Name::quoted(&base);
                            let mut n = 1;
                            while names.contains(&name) {
                                name = Name::quoted(&format!("{base}{n}"));
                                n += 1;
                            }
                            name
                        }
                    };
                    names.push(name);
                }
                other => return fail(format!("domain constraint `{other}` is not supported")),
            }
        }
        self.domain_constraints.insert(q.clone(), names);
        self.catalog.domains.insert(
            q.clone(),
            Domain {
                name: q,
                base,
                not_null: not_null || inherited_not_null,
                default: cd.default.as_ref().map(|e| e.to_string()),
                checks,
            },
        );
        Ok(())
    }
}

/// pg_dump's `ALTER TABLE ... ADD GENERATED ... AS IDENTITY (SEQUENCE NAME
/// ... START WITH ...)`: sqlparser does not read `SEQUENCE NAME`, and the
/// sequence options do not matter to queries, so the parenthesised list at
/// the end is cut off before the parse.
fn strip_identity_sequence_options(text: &str, w: &[String]) -> Option<String> {
    if w.first()? != "ALTER" || w.get(1)? != "TABLE" || w.last()? != ")" {
        return None;
    }
    let at = w
        .windows(2)
        .position(|p| p[0] == "IDENTITY" && p[1] == "(")?;
    let toks = crate::lexer::lex(text).ok()?;
    let open = toks.get(at + 1)?.offset();
    Some(text[..open].to_string())
}

/// `CREATE MATERIALIZED VIEW ... WITH [NO] DATA`: sqlparser does not read
/// the clause, and whether the view is populated does not change its
/// columns, so it is cut off.
fn strip_with_data(text: &str) -> Option<String> {
    let w = words(text);
    if !w.iter().take(4).any(|x| x == "MATERIALIZED") {
        return None;
    }
    let n = w.len();
    let s: Vec<&str> = w.iter().map(String::as_str).collect();
    let cut = match s.as_slice() {
        [.., "WITH", "NO", "DATA"] => 3,
        [.., "WITH", "DATA"] => 2,
        _ => return None,
    };
    let toks = crate::lexer::lex(text).ok()?;
    Some(text[..toks.get(n - cut)?.offset()].to_string())
}

/// `CREATE UNLOGGED TABLE|SEQUENCE` (pg_dump writes both): sqlparser does
/// not read `UNLOGGED` before `SEQUENCE`, and whether a relation is logged
/// does not change its columns, so the word is cut out.
fn strip_unlogged(text: &str, w: &[String]) -> Option<String> {
    if w.get(..2)? != ["CREATE", "UNLOGGED"] {
        return None;
    }
    let toks = crate::lexer::lex(text).ok()?;
    let (start, end) = (toks.get(1)?.offset(), toks.get(2)?.offset());
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// `CREATE [UNIQUE] INDEX ... ON ONLY t ...`, pg_dump's form for a
/// partitioned table's index (the partitions' own indexes are attached to
/// it later): sqlparser does not read `ONLY`. The loader records an index
/// on the table it names alone either way, so the word is cut out.
fn strip_index_on_only(text: &str, w: &[String]) -> Option<String> {
    if w.first()? != "CREATE" || !w.iter().take(3).any(|x| x == "INDEX") {
        return None;
    }
    let all = words(text);
    let toks = crate::lexer::lex(text).ok()?;
    if all.len() != toks.len() {
        return None;
    }
    let k = all
        .windows(2)
        .position(|p| p[0] == "ON" && p[1] == "ONLY")?;
    let (start, end) = (toks.get(k + 1)?.offset(), toks.get(k + 2)?.offset());
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// `DROP INDEX CONCURRENTLY ...`: sqlparser does not read `CONCURRENTLY`
/// there, and it does not change the effect, so the word is cut out.
fn strip_drop_index_concurrently(text: &str, w: &[String]) -> Option<String> {
    if w.get(..3)? != ["DROP", "INDEX", "CONCURRENTLY"] {
        return None;
    }
    let toks = crate::lexer::lex(text).ok()?;
    let (start, end) = (toks.get(2)?.offset(), toks.get(3)?.offset());
    Some(format!("{}{}", &text[..start], &text[end..]))
}

/// Removes top-level `[CONSTRAINT name] NOT NULL` and `NULL` from a `CREATE
/// DOMAIN`, returning the rest and whether `NOT NULL` was there.
fn strip_domain_nullability(text: &str) -> (String, bool) {
    let toks = crate::lexer::lex(text).unwrap_or_default();
    let word_at = |i: usize| -> Option<(usize, usize, String)> {
        let t = toks.get(i)?;
        let start = t.offset();
        let rest = &text[start..];
        let end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '$' || *c == '"'))
            .map_or(rest.len(), |(n, _)| n);
        let end = end.max(rest.chars().next().map_or(0, char::len_utf8));
        Some((start, start + end, rest[..end].to_ascii_uppercase()))
    };
    let mut depth = 0i32;
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut not_null = false;
    let mut i = 0;
    while i < toks.len() {
        let Some((start, end, w)) = word_at(i) else {
            break;
        };
        match w.as_str() {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ if depth == 0 => {
                let next = word_at(i + 1).map(|x| x.2);
                let next2 = word_at(i + 2);
                let next3 = word_at(i + 3);
                if w == "CONSTRAINT" {
                    // `CONSTRAINT name NOT NULL` / `CONSTRAINT name NULL`.
                    if let (Some((_, e2, w2)), Some(w3)) = (&next2, &next3) {
                        if w2 == "NOT" && w3.2 == "NULL" {
                            cuts.push((start, w3.1));
                            not_null = true;
                            i += 4;
                            continue;
                        }
                        if w2 == "NULL" {
                            cuts.push((start, *e2));
                            i += 3;
                            continue;
                        }
                    }
                } else if w == "NOT" && next.as_deref() == Some("NULL") {
                    let (_, e, _) = word_at(i + 1).expect("checked");
                    cuts.push((start, e));
                    not_null = true;
                    i += 2;
                    continue;
                } else if w == "NULL" {
                    cuts.push((start, end));
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e) in cuts {
        out.push_str(&text[pos..s]);
        out.push(' ');
        pos = e;
    }
    out.push_str(&text[pos..]);
    (out, not_null)
}

/// A possibly qualified name starting at word `i`: its parts and the index
/// of the word after it.
fn name_at(w: &[String], mut i: usize) -> Option<(Vec<Name>, usize)> {
    let mut out = vec![word_name(w.get(i)?)?];
    i += 1;
    while w.get(i).is_some_and(|x| x == ".") {
        out.push(word_name(w.get(i + 1)?)?);
        i += 2;
    }
    Some((out, i))
}

/// Skips the words of `noise` (each a keyword sequence) at `i`, repeatedly.
fn skip_words(w: &[String], mut i: usize, noise: &[&[&str]]) -> usize {
    'outer: loop {
        for seq in noise {
            if seq
                .iter()
                .enumerate()
                .all(|(k, x)| w.get(i + k).is_some_and(|y| y == x))
            {
                i += seq.len();
                continue 'outer;
            }
        }
        return i;
    }
}

/// The target of `SELECT ... INTO t` (not `INSERT INTO`, `MERGE INTO`): the
/// index of the word after `INTO`.
fn select_into(w: &[String]) -> Option<usize> {
    let at = w.iter().enumerate().position(|(i, x)| {
        x == "INTO" && i > 0 && !matches!(w[i - 1].as_str(), "INSERT" | "MERGE")
    })?;
    Some(skip_words(
        w,
        at + 1,
        &[&["TEMPORARY"], &["TEMP"], &["UNLOGGED"], &["TABLE"]],
    ))
}

/// Types of the extensions secure-pg knows, by extension: a column of one
/// of these types is accepted (as an opaque type) once the extension is
/// created. Any other unknown type name is an error.
/// The tables and views extensions create in their schema (left unknown
/// when the extension is created).
const EXTENSION_RELATIONS: &[(&str, &[&str])] = &[
    (
        "pg_stat_statements",
        &["pg_stat_statements", "pg_stat_statements_info"],
    ),
    (
        "postgis",
        &["spatial_ref_sys", "geometry_columns", "geography_columns"],
    ),
];

pub(crate) const EXTENSION_TYPES: &[(&str, &[&str])] = &[
    ("citext", &["citext"]),
    ("hstore", &["hstore"]),
    ("ltree", &["ltree", "lquery", "ltxtquery"]),
    ("postgis", &["geometry", "geography", "box2d", "box3d"]),
    ("vector", &["vector", "halfvec", "sparsevec"]),
    ("cube", &["cube"]),
    (
        "isn",
        &[
            "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "ean13", "upc",
        ],
    ),
];

fn extension_type(created: &std::collections::BTreeSet<Name>, name: &Name) -> bool {
    EXTENSION_TYPES.iter().any(|(ext, types)| {
        created.contains(&Name::unquoted(ext)) && types.contains(&name.as_str())
    })
}

/// The statement kind for messages: its first two or three words.
fn kind(w: &[String]) -> String {
    if let Some(
        first @ ("SELECT" | "WITH" | "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "CALL" | "DO"
        | "COPY" | "TRUNCATE"),
    ) = w.first().map(String::as_str)
    {
        return first.to_string();
    }
    let n = match w.get(1).map(String::as_str) {
        Some("OR") => 4,
        Some("UNIQUE" | "MATERIALIZED") => 3,
        _ => 2,
    };
    w.iter()
        .take(n)
        .filter(|x| x.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

fn not_understood(w: &[String]) -> Fail {
    Fail {
        message: format!(
            "`{}` statement in the schema is not understood by secure-pg",
            kind(w)
        ),
    }
}

/// Statement kinds the interpreter handles: a parse failure there is a
/// syntax error to report as such.
fn understood_kind(w: &[String]) -> bool {
    let s: Vec<&str> = w.iter().take(4).map(String::as_str).collect();
    matches!(
        s.as_slice(),
        [
            "CREATE",
            "TABLE"
                | "VIEW"
                | "TYPE"
                | "INDEX"
                | "UNIQUE"
                | "POLICY"
                | "SCHEMA"
                | "SEQUENCE"
                | "EXTENSION"
                | "MATERIALIZED",
            ..
        ] | ["CREATE", "OR", "REPLACE", "VIEW"]
            | ["ALTER", "TABLE" | "TYPE" | "POLICY", ..]
            | ["DROP", ..]
    )
}

fn owner(o: &Owner) -> String {
    o.to_string()
}

fn parts(name: &ObjectName) -> R<Vec<Name>> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => Ok(Name::from_ident(i)),
            ObjectNamePart::Function(_) => fail(format!("`{name}` is not a plain name")),
        })
        .collect()
}

fn one_part(name: &ObjectName) -> Option<Name> {
    match parts(name).ok()?.as_slice() {
        [n] => Some(n.clone()),
        _ => None,
    }
}

/// A name written as a word of [`words`]: `"Quoted"` exact, others folded.
fn word_name(w: &str) -> Option<Name> {
    if let Some(inner) = w.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
        Some(Name::quoted(&inner.replace("\"\"", "\"")))
    } else if w
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !w.is_empty()
    {
        Some(Name::unquoted(w))
    } else {
        None
    }
}

fn index_columns(cols: &[sqlparser::ast::IndexColumn]) -> R<Vec<Name>> {
    cols.iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Ok(Name::from_ident(i)),
            other => fail(format!("key column `{other}` is not a plain column")),
        })
        .collect()
}

fn check_columns(t: &Table, cols: &[Name]) -> R<()> {
    for c in cols {
        if t.column(c).is_none() {
            return fail(format!(
                "column {c} named in key does not exist in {}",
                t.name
            ));
        }
    }
    Ok(())
}

/// The name PostgreSQL gives an index column when it names an index
/// (`FigureColname`): a column's own, a function's, else `expr`.
fn expression_name(e: &Expr) -> Name {
    match e {
        Expr::Identifier(i) => Name::from_ident(i),
        Expr::Nested(e) => expression_name(e),
        Expr::Function(f) => match f.name.0.last() {
            Some(ObjectNamePart::Identifier(i)) => Name::from_ident(i),
            _ => Name::quoted("expr"),
        },
        _ => Name::quoted("expr"),
    }
}

/// The column names an index's default name joins: each written one, a
/// repeat numbered (`expr`, `expr1`).
fn index_name_columns(written: impl Iterator<Item = Name>) -> Vec<Name> {
    let mut cols: Vec<Name> = Vec::new();
    for c in written {
        let mut name = c.clone();
        let mut n = 1;
        while cols.contains(&name) {
            name = Name::quoted(&format!("{}{n}", c.as_str()));
            n += 1;
        }
        cols.push(name);
    }
    cols
}

/// `table_col1_col2_suffix`, as PostgreSQL names constraints.
fn join_names(table: &Name, cols: &[Name], suffix: &str) -> Name {
    let mut s = table.as_str().to_string();
    for c in cols {
        s.push('_');
        s.push_str(c.as_str());
    }
    s.push('_');
    s.push_str(suffix);
    Name::quoted(&s)
}

/// The default name of a check on `t` (`column`: the column being
/// defined, not yet in `t`): `<table>_<column>_check` when the expression
/// reads exactly one column, else `<table>_check`, numbered while taken.
fn default_check_name(t: &Table, column: Option<&Name>, expr: &Expr) -> Name {
    let mut read: Vec<Name> = Vec::new();
    let _ = sqlparser::ast::visit_expressions(expr, |e| {
        let n = match e {
            Expr::Identifier(i) => Some(Name::from_ident(i)),
            Expr::CompoundIdentifier(p) => p.last().map(Name::from_ident),
            _ => None,
        };
        if let Some(n) = n {
            let is_column = t.column(&n).is_some() || column == Some(&n);
            if is_column && !read.contains(&n) {
                read.push(n);
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    match read.as_slice() {
        [one] => default_constraint_name(t, std::slice::from_ref(one), "check"),
        _ => default_constraint_name(t, &[], "check"),
    }
}

/// PostgreSQL's default constraint name, with a number added while taken.
/// (PostgreSQL truncates the parts before joining them; names over 63
/// bytes may differ.)
fn default_constraint_name(t: &Table, cols: &[Name], suffix: &str) -> Name {
    let cols = if suffix == "key" || suffix == "fkey" || suffix == "check" {
        // Unique keys and foreign keys name every column; checks the first.
        if suffix == "check" {
            &cols[..cols.len().min(1)]
        } else {
            cols
        }
    } else {
        cols
    };
    let base = join_names(&t.name.name, cols, suffix);
    let taken: Vec<&Name> = t.constraint_names().collect();
    let mut name = base.clone();
    let mut n = 1;
    while taken.contains(&&name) {
        name = Name::quoted(&format!("{}{n}", base.as_str()));
        n += 1;
    }
    name
}

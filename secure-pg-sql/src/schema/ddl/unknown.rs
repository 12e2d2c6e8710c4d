//! What a statement the loader cannot model leaves unknown: the objects
//! its words name ([`statement_targets`]), and what depends on them
//! ([`Builder::leave_unknown`]: tables with a column of an unknown type,
//! domains and composites over one, views that read an unknown relation).

use super::*;

impl Builder {
    /// Leaves what `targets` name unknown because of statement `u` (all
    /// of the catalog with `None`: the statement names nothing the loader
    /// can identify), then what depends on it: tables with a column of an
    /// unknown type, domains over one, views that read an unknown
    /// relation. Objects already unknown keep the statement that first
    /// made them so. The statement is recorded when it left something
    /// newly unknown.
    pub(super) fn leave_unknown(&mut self, u: Unmodelled, targets: Option<Vec<Target>>) {
        let mut relations = Vec::new();
        let mut types = Vec::new();
        let everything = targets.is_none();
        match targets {
            None => {
                relations.extend(self.catalog.tables.keys().cloned());
                relations.extend(self.catalog.views.keys().cloned());
                types.extend(self.catalog.enums.keys().cloned());
                types.extend(self.catalog.domains.keys().cloned());
                types.extend(self.catalog.composites.keys().cloned());
                // What such a statement did to functions is not known.
                self.catalog.functions.clear();
                if self.catalog.unknown_rest.is_none() {
                    self.catalog.unknown_rest = Some(u.clone());
                }
            }
            Some(targets) => {
                for (kind, parts) in targets {
                    let q = match kind {
                        ObjKind::Relation => self.target_relation(&parts),
                        ObjKind::Type => self.target_type(&parts),
                        ObjKind::UniqueIndexes => {
                            relations.extend(
                                self.catalog
                                    .tables
                                    .values()
                                    .filter(|t| !t.unique.is_empty())
                                    .map(|t| t.name.clone()),
                            );
                            continue;
                        }
                    };
                    match (kind, q) {
                        (ObjKind::Relation, Some(q)) => relations.push(q),
                        (ObjKind::Type, Some(q)) => types.push(q),
                        (ObjKind::UniqueIndexes, Some(_)) => {}
                        // A name that cannot be placed (no schema on the
                        // search path): anything may be meant.
                        (_, None) => return self.leave_unknown(u, None),
                    }
                }
            }
        }
        let mut newly = Vec::new();
        let mut types_done = Vec::new();
        while let Some(t) = types.pop() {
            if types_done.contains(&t) {
                continue;
            }
            self.catalog.enums.remove(&t);
            self.catalog.domains.remove(&t);
            self.catalog.composites.remove(&t);
            if !self.catalog.unknown_types.contains_key(&t) {
                self.catalog.unknown_types.insert(t.clone(), u.clone());
                newly.push(t.clone());
            }
            let uses = |b: &BaseType| type_uses(b, &t);
            relations.extend(
                self.catalog
                    .tables
                    .values()
                    .filter(|tb| tb.columns.iter().any(|c| uses(&c.ty.base)))
                    .map(|tb| tb.name.clone()),
            );
            types.extend(
                self.catalog
                    .domains
                    .values()
                    .filter(|d| uses(&d.base.base))
                    .map(|d| d.name.clone()),
            );
            types.extend(
                self.catalog
                    .composites
                    .values()
                    .filter(|c| c.attributes.iter().any(|(_, ty)| uses(&ty.base)))
                    .map(|c| c.name.clone()),
            );
            types_done.push(t);
        }
        while let Some(r) = relations.pop() {
            let was_known =
                self.catalog.tables.remove(&r).is_some() | self.catalog.views.remove(&r).is_some();
            if !self.catalog.unknown_relations.contains_key(&r) {
                self.catalog.unknown_relations.insert(r.clone(), u.clone());
                newly.push(r.clone());
            } else if !was_known {
                continue;
            }
            relations.extend(self.views_reading(&r));
            // What happened to a parent may have reached its children.
            relations.extend(self.children_of(&r));
        }
        if everything || !newly.is_empty() {
            self.catalog.unmodelled.push(UnmodelledStatement {
                statement: u,
                objects: if everything { Vec::new() } else { newly },
                everything,
            });
        }
    }

    /// What `DROP <kind> <names> CASCADE` may drop besides them.
    pub(super) fn dependents(&self, kind: ObjectType, names: &[ObjectName]) -> Vec<Target> {
        let mut out = Vec::new();
        for p in names.iter().filter_map(|n| parts(n).ok()) {
            match kind {
                ObjectType::Table | ObjectType::View | ObjectType::MaterializedView => {
                    if let Some(q) = self.target_relation(&p) {
                        out.extend(self.views_reading(&q));
                    }
                }
                ObjectType::Type => {
                    if let Some(q) = self.target_type(&p) {
                        let uses = |b: &BaseType| type_uses(b, &q);
                        for t in self.catalog.tables.values() {
                            if t.columns.iter().any(|c| uses(&c.ty.base)) {
                                out.push(t.name.clone());
                                out.extend(self.views_reading(&t.name));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out.into_iter()
            .map(|q| (ObjKind::Relation, vec![q.schema, q.name]))
            .collect()
    }

    /// The known views whose query names `r`'s name or one of its old names
    /// (a view reading it, or one that merely mentions the name: either way
    /// it may change with it).
    pub(super) fn views_reading(&self, r: &QualifiedName) -> Vec<QualifiedName> {
        let names = self.names_of(r);
        self.catalog
            .views
            .values()
            .filter(|v| {
                words(&v.query)
                    .iter()
                    .any(|w| word_name(w).is_some_and(|n| names.contains(&n)))
            })
            .map(|v| v.name.clone())
            .collect()
    }

    /// Why a view's query cannot be modelled: it reads a relation left
    /// unknown (or one that may have been created by a statement that
    /// named nothing identifiable).
    pub(super) fn reads_unknown(&self, query: &sqlparser::ast::Query) -> Option<String> {
        use std::ops::ControlFlow;
        let r = sqlparser::ast::visit_relations(query, |name| {
            let Ok(p) = parts(name) else {
                return ControlFlow::Continue(());
            };
            let (schema, n) = match p.as_slice() {
                [n] => (None, n),
                [s, n] => (Some(s), n),
                _ => return ControlFlow::Continue(()),
            };
            match self.catalog.resolve(&self.search_path, schema, n) {
                // A CTE of the view's own query may shadow a missing name.
                Resolved::Unknown(u) if self.catalog.unknown_rest.as_ref() != Some(u) => {
                    ControlFlow::Break(
                        u.unknown_message(&format!("`{name}`, which the view reads,")),
                    )
                }
                _ => ControlFlow::Continue(()),
            }
        });
        match r {
            ControlFlow::Break(m) => Some(m),
            ControlFlow::Continue(()) => None,
        }
    }

    /// The relation a target names: the known or unknown one the search
    /// path finds, else where it would be created.
    pub(super) fn target_relation(&self, parts: &[Name]) -> Option<QualifiedName> {
        match parts {
            [n] => self
                .search_path
                .iter()
                .map(|s| QualifiedName::new(s.clone(), n.clone()))
                .find(|q| {
                    self.catalog.tables.contains_key(q)
                        || self.catalog.views.contains_key(q)
                        || self.catalog.unknown_relations.contains_key(q)
                })
                .or_else(|| {
                    self.search_path
                        .first()
                        .map(|s| QualifiedName::new(s.clone(), n.clone()))
                }),
            [s, n] => Some(QualifiedName::new(s.clone(), n.clone())),
            [_, s, n] => Some(QualifiedName::new(s.clone(), n.clone())),
            _ => None,
        }
    }

    /// The type a target names, as [`Builder::target_relation`] does.
    pub(super) fn target_type(&self, parts: &[Name]) -> Option<QualifiedName> {
        match parts {
            [n] => self
                .search_path
                .iter()
                .map(|s| QualifiedName::new(s.clone(), n.clone()))
                .find(|q| self.catalog.has_type(q) || self.catalog.unknown_types.contains_key(q))
                .or_else(|| {
                    self.search_path
                        .first()
                        .map(|s| QualifiedName::new(s.clone(), n.clone()))
                }),
            [s, n] => Some(QualifiedName::new(s.clone(), n.clone())),
            _ => None,
        }
    }
}

/// What kind of object a statement names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ObjKind {
    Relation,
    Type,
    /// Any unique index (dynamic `DROP INDEX`): the tables with a unique
    /// key other than the primary key. No name.
    UniqueIndexes,
}

/// An object a statement names, as written.
pub(super) type Target = (ObjKind, Vec<Name>);

/// The objects a statement the loader could not model may change, read
/// from its words without a parse; `None` when it names nothing the loader
/// can identify (every object is then left unknown). Over-approximates:
/// an object named by mistake is only refused, never guessed.
pub(super) fn statement_targets(
    w: &[String],
    text: &str,
    routines: &Routines,
    triggers: &[(Name, Name)],
) -> Option<Vec<Target>> {
    match w.first().map(String::as_str) {
        Some("DO") => do_body_targets(text, routines),
        first if data_statement(first) => {
            let mut out = Vec::new();
            if let Some(at) = select_into(w) {
                out.push((ObjKind::Relation, name_at(w, at)?.0));
            }
            for (_, t) in called(w, routines) {
                out.extend(t.clone()?);
            }
            for (_, routine) in fired(w, triggers, routines) {
                out.extend(routines.get(routine)?.clone()?);
            }
            Some(out)
        }
        _ => {
            let end = w.iter().position(|x| x == ";").unwrap_or(w.len());
            targets_of(&w[..end])
        }
    }
}

pub(super) fn targets_of(w: &[String]) -> Option<Vec<Target>> {
    let first = w.first()?.as_str();
    let mut out = Vec::new();
    let mut i = 1;
    // Policies, triggers and rules belong to the table after `ON`.
    if matches!(first, "CREATE" | "ALTER" | "DROP")
        && w.iter()
            .take(5)
            .any(|x| matches!(x.as_str(), "POLICY" | "TRIGGER" | "RULE"))
        && w.get(1).is_none_or(|x| x != "EVENT")
    {
        let on = w.iter().position(|x| x == "ON")?;
        let at = skip_words(w, on + 1, &[&["ONLY"]]);
        return Some(vec![(ObjKind::Relation, name_at(w, at)?.0)]);
    }
    match first {
        "CREATE" => {
            i = skip_words(
                w,
                i,
                &[
                    &["OR", "REPLACE"],
                    &["GLOBAL"],
                    &["LOCAL"],
                    &["TEMP"],
                    &["TEMPORARY"],
                    &["UNLOGGED"],
                    &["RECURSIVE"],
                    &["MATERIALIZED"],
                    &["FOREIGN"],
                    &["UNIQUE"],
                ],
            );
            let kind = match w.get(i)?.as_str() {
                "TABLE" | "VIEW" => ObjKind::Relation,
                "TYPE" | "DOMAIN" => ObjKind::Type,
                // Sequences are not relations the checker reads.
                "SEQUENCE" => return Some(Vec::new()),
                "INDEX" => {
                    let on = w.iter().position(|x| x == "ON")?;
                    let at = skip_words(w, on + 1, &[&["ONLY"]]);
                    return Some(vec![(ObjKind::Relation, name_at(w, at)?.0)]);
                }
                _ => return None,
            };
            let at = skip_words(w, i + 1, &[&["IF", "NOT", "EXISTS"]]);
            out.push((kind, name_at(w, at)?.0));
        }
        "ALTER" => {
            let (kind, at) = match w.get(1)?.as_str() {
                "TABLE" | "VIEW" => (ObjKind::Relation, 2),
                "MATERIALIZED" | "FOREIGN" if w.get(2)? == "VIEW" || w.get(2)? == "TABLE" => {
                    (ObjKind::Relation, 3)
                }
                "TYPE" | "DOMAIN" => (ObjKind::Type, 2),
                _ => return None,
            };
            if w.get(at)? == "ALL" {
                return None;
            }
            let at = skip_words(w, at, &[&["IF", "EXISTS"], &["ONLY"]]);
            let (name, next) = name_at(w, at)?;
            out.push((kind, name.clone()));
            // Where it may go: `RENAME TO new`, `SET SCHEMA s`.
            for k in next..w.len() {
                let pair = (w[k].as_str(), w.get(k + 1).map(String::as_str));
                if pair == ("RENAME", Some("TO")) {
                    let mut new = name.clone();
                    *new.last_mut()? = word_name(w.get(k + 2)?)?;
                    out.push((kind, new));
                }
                if pair == ("SET", Some("SCHEMA")) {
                    out.push((kind, vec![word_name(w.get(k + 2)?)?, name.last()?.clone()]));
                }
            }
        }
        "DROP" => {
            let (kind, at) = match w.get(1)?.as_str() {
                "SEQUENCE" => return Some(Vec::new()),
                "TABLE" | "VIEW" => (ObjKind::Relation, 2),
                "MATERIALIZED" | "FOREIGN" => (ObjKind::Relation, 3),
                "TYPE" | "DOMAIN" => (ObjKind::Type, 2),
                _ => return None,
            };
            let mut at = skip_words(w, at, &[&["IF", "EXISTS"]]);
            loop {
                let (name, next) = name_at(w, at)?;
                out.push((kind, name));
                if w.get(next).is_some_and(|x| x == ",") {
                    at = next + 1;
                } else {
                    break;
                }
            }
        }
        "SELECT" | "WITH" => {
            let at = select_into(w)?;
            out.push((ObjKind::Relation, name_at(w, at)?.0));
        }
        _ => return None,
    }
    Some(out)
}

/// Whether `name` is a type of an extension in `created`.
/// Whether `b` is the user type `t` (a column or attribute of that type
/// depends on it).
pub(super) fn type_uses(b: &BaseType, t: &QualifiedName) -> bool {
    matches!(b, BaseType::Enum(q) | BaseType::Domain(q) | BaseType::Composite(q) if q == t)
}

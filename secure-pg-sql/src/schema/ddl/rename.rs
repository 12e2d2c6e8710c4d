//! `ALTER [MATERIALIZED] VIEW ... RENAME`: a view or materialized view
//! renamed, or one of its columns; `ALTER TABLE|VIEW ... SET SCHEMA`; and
//! the old names of renamed relations,
//! which the views created before the rename still name in their stored
//! text (so that what drops or changes the relation still reaches them).

use super::*;

impl Builder {
    /// `ALTER [MATERIALIZED] VIEW [IF EXISTS] v RENAME TO w` and `RENAME
    /// [COLUMN] a TO b`; `None` for any other form (applied, or not, by the
    /// parse that follows).
    pub(super) fn alter_view(&mut self, w: &[String]) -> Option<R<()>> {
        let (materialized, at) = match w.get(1)?.as_str() {
            "VIEW" => (false, 2),
            "MATERIALIZED" if w.get(2)? == "VIEW" => (true, 3),
            _ => return None,
        };
        let if_exists = w.get(at).is_some_and(|x| x == "IF");
        let at = skip_words(w, at, &[&["IF", "EXISTS"]]);
        let (name, next) = name_at(w, at)?;
        let rest: Vec<&str> = w[next..].iter().map(String::as_str).collect();
        let (column, new) = match rest.as_slice() {
            ["RENAME", "TO", new] => (None, word_name(new)?),
            ["RENAME", "COLUMN", old, "TO", new] | ["RENAME", old, "TO", new]
                if *old != "COLUMN" =>
            {
                (Some(word_name(old)?), word_name(new)?)
            }
            _ => return None,
        };
        Some(self.rename_view(&name, materialized, if_exists, column, new))
    }

    fn rename_view(
        &mut self,
        name: &[Name],
        materialized: bool,
        if_exists: bool,
        column: Option<Name>,
        new: Name,
    ) -> R<()> {
        let Some(q) = self.target_relation(name) else {
            return fail("a view name has at most three parts");
        };
        if let Some(u) = self.catalog.unknown_relations.get(&q) {
            return fail(u.unknown_message(&format!("view `{q}`")));
        }
        let what = if materialized {
            "materialized view"
        } else {
            "view"
        };
        let Some(v) = self.catalog.views.get_mut(&q) else {
            if if_exists && !self.catalog.tables.contains_key(&q) {
                return Ok(());
            }
            return fail(format!("{what} {q} does not exist"));
        };
        if v.materialized != materialized {
            return fail(format!("{q} is not a {what}"));
        }
        match column {
            Some(old) => {
                if !v.columns_known {
                    return fail(format!("the columns of {q} are not modelled"));
                }
                if v.columns.iter().any(|c| c.name == new) {
                    return fail(format!("column {new} of {q} already exists"));
                }
                let Some(c) = v.columns.iter_mut().find(|c| c.name == old) else {
                    return fail(format!("column {old} of {q} does not exist"));
                };
                c.name = new;
                Ok(())
            }
            None => {
                let nq = QualifiedName::new(q.schema.clone(), new);
                if self.catalog.tables.contains_key(&nq)
                    || self.catalog.views.contains_key(&nq)
                    || self.catalog.unknown_relations.contains_key(&nq)
                {
                    return fail(format!("relation {nq} already exists"));
                }
                let mut v = self.catalog.views.remove(&q).expect("found above");
                v.name = nq.clone();
                self.catalog.views.insert(nq.clone(), v);
                self.renamed(&q, &nq);
                Ok(())
            }
        }
    }

    /// Remembers that `old` is now `new`: views created before still name
    /// `old` in their text.
    pub(super) fn renamed(&mut self, old: &QualifiedName, new: &QualifiedName) {
        for (_, q) in self.old_names.iter_mut() {
            if q == old {
                *q = new.clone();
            }
        }
        self.old_names.push((old.name.clone(), new.clone()));
    }

    /// The names a view's text may use for `r`: its own and its old ones.
    pub(super) fn names_of(&self, r: &QualifiedName) -> Vec<Name> {
        let mut out = vec![r.name.clone()];
        out.extend(
            self.old_names
                .iter()
                .filter(|(_, q)| q == r)
                .map(|(n, _)| n.clone()),
        );
        out
    }
}

impl Builder {
    /// `ALTER TYPE t SET SCHEMA s` of an enum or a composite type the
    /// catalog knows, or `ALTER DOMAIN d SET SCHEMA s` of a domain: the type moves, and every column, domain and
    /// composite attribute of it follows (as they do on the server, which
    /// keeps the type's OID). `None` for any other statement, and for a
    /// type the loader left unknown (the statement is then judged as before).
    pub(super) fn alter_type_set_schema(&mut self, w: &[String]) -> Option<R<()>> {
        let domain = match w.get(1)?.as_str() {
            "TYPE" => false,
            "DOMAIN" => true,
            _ => return None,
        };
        let (name, next) = name_at(w, 2)?;
        let rest: Vec<&str> = w[next..].iter().map(String::as_str).collect();
        let ["SET", "SCHEMA", schema] = rest.as_slice() else {
            return None;
        };
        let schema = word_name(schema)?;
        let q = match name.as_slice() {
            [n] => self
                .search_path
                .iter()
                .map(|s| QualifiedName::new(s.clone(), n.clone()))
                .find(|q| self.catalog.has_type(q))?,
            [s, n] => QualifiedName::new(s.clone(), n.clone()),
            _ => return None,
        };
        let known = if domain {
            self.catalog.domains.contains_key(&q)
        } else {
            self.catalog.enums.contains_key(&q) || self.catalog.composites.contains_key(&q)
        };
        if !known {
            return None;
        }
        let moved = QualifiedName::new(schema.clone(), q.name.clone());
        if !self.catalog.schemas.contains(&schema) {
            return Some(fail(format!("schema {schema} does not exist")));
        }
        if let Err(e) = self.check_free_type(&moved) {
            return Some(Err(e));
        }
        if let Some(mut e) = self.catalog.enums.remove(&q) {
            e.name = moved.clone();
            self.catalog.enums.insert(moved.clone(), e);
            self.retype(&q, BaseType::Enum(moved));
        } else if let Some(mut c) = self.catalog.composites.remove(&q) {
            c.name = moved.clone();
            self.catalog.composites.insert(moved.clone(), c);
            self.retype(&q, BaseType::Composite(moved));
        } else if let Some(mut d) = self.catalog.domains.remove(&q) {
            if let Some(names) = self.domain_constraints.remove(&q) {
                self.domain_constraints.insert(moved.clone(), names);
            }
            d.name = moved.clone();
            self.catalog.domains.insert(moved.clone(), d);
            self.retype(&q, BaseType::Domain(moved));
        }
        Some(Ok(()))
    }

    /// `ALTER TABLE|VIEW|MATERIALIZED VIEW [IF EXISTS] r SET SCHEMA s` (that
    /// action alone): the relation moves, with its indexes; foreign keys,
    /// views and partitions follow it. The sequences named after it (a
    /// serial column's, which move with it when it owns them) are
    /// forgotten, so a query naming one is refused, never mistyped.
    /// `None` for any other statement.
    pub(super) fn alter_set_schema(&mut self, w: &[String]) -> Option<R<()>> {
        let at = match (w.get(1)?.as_str(), w.get(2).map(String::as_str)) {
            ("TABLE" | "VIEW", _) => 2,
            ("MATERIALIZED", Some("VIEW")) => 3,
            _ => return None,
        };
        let if_exists = w.get(at).is_some_and(|x| x == "IF");
        let at = skip_words(w, at, &[&["IF", "EXISTS"], &["ONLY"]]);
        let (name, next) = name_at(w, at)?;
        let rest: Vec<&str> = w[next..].iter().map(String::as_str).collect();
        let ["SET", "SCHEMA", schema] = rest.as_slice() else {
            return None;
        };
        let schema = word_name(schema)?;
        Some(self.set_schema(&name, if_exists, schema))
    }

    fn set_schema(&mut self, name: &[Name], if_exists: bool, schema: Name) -> R<()> {
        let Some(q) = self.target_relation(name) else {
            return fail("a relation name has at most three parts");
        };
        if let Some(u) = self.catalog.unknown_relations.get(&q) {
            return fail(u.unknown_message(&format!("`{q}`")));
        }
        let is_table = self.catalog.tables.contains_key(&q);
        if !is_table && !self.catalog.views.contains_key(&q) {
            if if_exists {
                return Ok(());
            }
            return fail(format!("relation {q} does not exist"));
        }
        if !self.catalog.schemas.contains(&schema) {
            return fail(format!("schema {schema} does not exist"));
        }
        let nq = QualifiedName::new(schema.clone(), q.name.clone());
        if self.catalog.tables.contains_key(&nq)
            || self.catalog.views.contains_key(&nq)
            || self.catalog.unknown_relations.contains_key(&nq)
        {
            return fail(format!("relation {nq} already exists"));
        }
        if is_table {
            let mut t = self.catalog.tables.remove(&q).expect("found above");
            t.name = nq.clone();
            self.catalog.tables.insert(nq.clone(), t);
            for other in self.catalog.tables.values_mut() {
                for fk in &mut other.foreign_keys {
                    if fk.references == q {
                        fk.references = nq.clone();
                    }
                }
            }
            let moved: Vec<QualifiedName> = self
                .catalog
                .indexes
                .iter()
                .filter(|(_, ix)| ix.table == q)
                .map(|(k, _)| k.clone())
                .collect();
            for k in moved {
                let mut ix = self.catalog.indexes.remove(&k).expect("listed above");
                ix.table = nq.clone();
                self.catalog
                    .indexes
                    .insert(QualifiedName::new(schema.clone(), k.name), ix);
            }
            for v in self.catalog.views.values_mut() {
                for c in &mut v.columns {
                    if let super::super::catalog::ViewColumnSource::Column { table, .. } =
                        &mut c.source
                    {
                        if *table == q {
                            *table = nq.clone();
                        }
                    }
                }
            }
            let prefix = format!("{}_", q.name.as_str());
            self.catalog
                .sequences
                .retain(|s| !(s.schema == q.schema && s.name.as_str().starts_with(&prefix)));
        } else {
            let mut v = self.catalog.views.remove(&q).expect("found above");
            v.name = nq.clone();
            self.catalog.views.insert(nq.clone(), v);
        }
        for (p, c) in self.children.iter_mut() {
            for x in [p, c] {
                if *x == q {
                    *x = nq.clone();
                }
            }
        }
        self.renamed(&q, &nq);
        Ok(())
    }
}

//! Tables that take their columns from others: partitions (`CREATE TABLE
//! ... PARTITION OF`, `ATTACH PARTITION`) and inheritance (`INHERITS`),
//! where a child's columns are its parents' and what later changes a
//! parent's columns changes the children's (a column added is appended to
//! each; the children of a parent otherwise altered, dropped or left
//! unknown are left unknown); a partition also gets its parent's keys. And
//! `CREATE TABLE t (LIKE s ...)`, a copy made once, keys included with
//! `INCLUDING INDEXES`.

use super::*;

impl Builder {
    /// The columns a new table takes from its parents, in order: a
    /// partition's are its parent's; an inheriting table's are its
    /// parents' (a column of the same name and type in two parents is
    /// merged, NOT NULL if either says so). A child's own column with a
    /// parent's name is not modelled (the server merges them).
    pub(super) fn inherited_columns(&self, ct: &CreateTable) -> R<Vec<Column>> {
        let parents: Vec<&ObjectName> = match (&ct.partition_of, &ct.inherits) {
            (Some(p), None) => {
                if !ct.columns.is_empty() {
                    return fail("a partition's own column options are not modelled");
                }
                vec![p]
            }
            (None, Some(ps)) => ps.iter().collect(),
            (None, None) => return Ok(Vec::new()),
            (Some(_), Some(_)) => return fail("a partition cannot inherit"),
        };
        let mut out: Vec<Column> = Vec::new();
        for p in parents {
            let q = self.resolve(p)?;
            if let Some(u) = self.catalog.unknown_relations.get(&q) {
                return fail(u.unknown_message(&format!("its parent `{q}`")));
            }
            let Some(parent) = self.catalog.tables.get(&q) else {
                return fail(format!("parent table {q} does not exist"));
            };
            for c in &parent.columns {
                match out.iter_mut().find(|o| o.name == c.name) {
                    Some(o) if o.ty == c.ty => o.not_null |= c.not_null,
                    Some(_) => {
                        return fail(format!("inherited column {} has a type conflict", c.name))
                    }
                    None => out.push(c.clone()),
                }
            }
        }
        if let Some(c) = ct
            .columns
            .iter()
            .find(|c| out.iter().any(|o| o.name == Name::from_ident(&c.name)))
        {
            return fail(format!(
                "column {} merges with an inherited one, which the loader does not model",
                c.name
            ));
        }
        Ok(out)
    }

    /// Remembers which tables a statement makes partitions or children of
    /// which (`PARTITION OF`, `INHERITS`, `ATTACH PARTITION`, `INHERIT`),
    /// read from its words before it is applied, whether or not it is
    /// modelled: a later change to the parent reaches them.
    pub(super) fn record_children(&mut self, w: &[String]) {
        let mut found: Vec<(Vec<Name>, Vec<Name>)> = Vec::new();
        match (w.first().map(String::as_str), w.get(1).map(String::as_str)) {
            (Some("CREATE"), _) => {
                let Some(t) = w.iter().position(|x| x == "TABLE") else {
                    return;
                };
                let at = skip_words(w, t + 1, &[&["IF", "NOT", "EXISTS"]]);
                let Some((child, _)) = name_at(w, at) else {
                    return;
                };
                for (k, x) in w.iter().enumerate() {
                    if x == "OF" && k > 0 && w[k - 1] == "PARTITION" {
                        if let Some((p, _)) = name_at(w, k + 1) {
                            found.push((p, child.clone()));
                        }
                    }
                    if x == "INHERITS" {
                        let mut i = k + 2;
                        while let Some((p, next)) = name_at(w, i) {
                            found.push((p, child.clone()));
                            if w.get(next).is_some_and(|x| x == ",") {
                                i = next + 1;
                            } else {
                                break;
                            }
                        }
                    }
                }
            }
            (Some("ALTER"), Some("TABLE")) => {
                let at = skip_words(w, 2, &[&["IF", "EXISTS"], &["ONLY"]]);
                let Some((table, _)) = name_at(w, at) else {
                    return;
                };
                for (k, x) in w.iter().enumerate() {
                    if x == "PARTITION" && k > 0 && w[k - 1] == "ATTACH" {
                        if let Some((c, _)) = name_at(w, k + 1) {
                            found.push((table.clone(), c));
                        }
                    }
                    if x == "INHERIT" && (k == 0 || w[k - 1] != "NO") {
                        if let Some((p, _)) = name_at(w, k + 1) {
                            found.push((p, table.clone()));
                        }
                    }
                }
            }
            _ => {}
        }
        for (p, c) in found {
            if let (Some(p), Some(c)) = (self.target_relation(&p), self.target_relation(&c)) {
                if !self.children.contains(&(p.clone(), c.clone())) {
                    self.children.push((p, c));
                }
            }
        }
    }

    /// The partitions and inheriting tables of `parent`, and theirs, that
    /// the catalog holds as tables (the others are unknown already, or do
    /// not exist).
    pub(super) fn children_of(&self, parent: &QualifiedName) -> Vec<QualifiedName> {
        let mut out: Vec<QualifiedName> = Vec::new();
        let mut todo = vec![parent.clone()];
        while let Some(p) = todo.pop() {
            for (_, c) in self.children.iter().filter(|(q, _)| *q == p) {
                if !out.contains(c) && c != parent {
                    out.push(c.clone());
                    todo.push(c.clone());
                }
            }
        }
        out.retain(|c| self.catalog.tables.contains_key(c));
        out
    }

    /// `ALTER TABLE [IF EXISTS] [ONLY] p ATTACH PARTITION c {FOR VALUES ...
    /// | DEFAULT}` and `ALTER TABLE ... DETACH PARTITION c [CONCURRENTLY |
    /// FINALIZE]`: attaching changes no column (the server refuses a table
    /// whose columns, types or NOT NULLs differ, and so does the loader) and
    /// gives the partition the parent's keys it lacks; detaching changes
    /// nothing but the link. `None` for any other statement.
    pub(super) fn attach_or_detach(&mut self, w: &[String]) -> Option<R<()>> {
        if w.get(1)? != "TABLE" {
            return None;
        }
        let at = skip_words(w, 2, &[&["IF", "EXISTS"], &["ONLY"]]);
        let (parent, next) = name_at(w, at)?;
        let attach = match (w.get(next)?.as_str(), w.get(next + 1)?.as_str()) {
            ("ATTACH", "PARTITION") => true,
            ("DETACH", "PARTITION") => false,
            _ => return None,
        };
        let (child, end) = name_at(w, next + 2)?;
        let rest: Vec<&str> = w[end..].iter().map(String::as_str).collect();
        let well_formed = if attach {
            rest.starts_with(&["FOR", "VALUES"]) || rest == ["DEFAULT"]
        } else {
            matches!(rest.as_slice(), [] | ["CONCURRENTLY"] | ["FINALIZE"])
        };
        if !well_formed {
            return None;
        }
        let (Some(p), Some(c)) = (self.target_relation(&parent), self.target_relation(&child))
        else {
            return Some(fail("a partition or parent the loader cannot name"));
        };
        for q in [&p, &c] {
            if let Some(u) = self.catalog.unknown_relations.get(q) {
                return Some(fail(u.unknown_message(&format!("`{q}`"))));
            }
            if !self.catalog.tables.contains_key(q) {
                return Some(fail(format!("table {q} does not exist")));
            }
        }
        if !attach {
            self.children.retain(|(a, b)| !(*a == p && *b == c));
            return Some(Ok(()));
        }
        let (pt, ct) = (&self.catalog.tables[&p], &self.catalog.tables[&c]);
        let same_columns = pt.columns.len() == ct.columns.len()
            && pt.columns.iter().all(|pc| {
                ct.column(&pc.name)
                    .is_some_and(|cc| cc.ty == pc.ty && (cc.not_null || !pc.not_null))
            });
        if !same_columns {
            return Some(fail(format!(
                "{c} does not have {p}'s columns, types and NOT NULLs, as a partition must"
            )));
        }
        Some(self.copy_keys(&p, &c, true))
    }

    /// Leaves the children of `parent` unknown, because of the statement
    /// being applied (`why` says how it reaches them).
    pub(super) fn children_unknown(&mut self, parent: &QualifiedName, why: &str) {
        let children = self.children_of(parent);
        if children.is_empty() {
            return;
        }
        if let Some(mut u) = self.current.clone() {
            u.reason = why.to_string();
            let targets = children
                .into_iter()
                .map(|q| (ObjKind::Relation, vec![q.schema, q.name]))
                .collect();
            self.leave_unknown(u, Some(targets));
        }
    }
}

impl Builder {
    /// The columns `LIKE s [INCLUDING|EXCLUDING what]...` copies (the
    /// clause's words): every column's name, type and NOT NULL; its default,
    /// identity or generation expression only when the options include
    /// `DEFAULTS`, `IDENTITY` or `GENERATED` (or `ALL`); and, with
    /// `INDEXES` (or `ALL`), the table whose keys the new one gets (see
    /// [`Builder::copy_keys`]). Other constraints are not copied.
    pub(super) fn like_columns(
        &self,
        clause: &[String],
    ) -> R<(Vec<Column>, Option<QualifiedName>)> {
        let Some((source, mut i)) = name_at(clause, 1) else {
            return fail("a `LIKE` source the loader cannot name");
        };
        let (mut defaults, mut identity, mut generated, mut indexes) = (false, false, false, false);
        while i < clause.len() {
            let on = match clause[i].as_str() {
                "INCLUDING" => true,
                "EXCLUDING" => false,
                other => return fail(format!("`LIKE` option `{other}` is not modelled")),
            };
            match clause.get(i + 1).map(String::as_str) {
                Some("DEFAULTS") => defaults = on,
                Some("IDENTITY") => identity = on,
                Some("GENERATED") => generated = on,
                Some("INDEXES") => indexes = on,
                Some("ALL") => (defaults, identity, generated, indexes) = (on, on, on, on),
                Some("COMMENTS" | "COMPRESSION" | "CONSTRAINTS" | "STATISTICS" | "STORAGE") => {}
                _ => return fail("a `LIKE` option the loader does not know"),
            }
            i += 2;
        }
        let Some(q) = self.target_relation(&source) else {
            return fail("a `LIKE` source the loader cannot name");
        };
        if let Some(u) = self.catalog.unknown_relations.get(&q) {
            return fail(u.unknown_message(&format!("`{q}`, which `LIKE` copies,")));
        }
        let Some(t) = self.catalog.tables.get(&q) else {
            return fail(format!(
                "`LIKE` of {q}, which is not a table the loader models"
            ));
        };
        let columns = t
            .columns
            .iter()
            .map(|c| Column {
                value: match &c.value {
                    ValueSource::Default(_) if defaults => c.value.clone(),
                    ValueSource::Identity { .. } if identity => c.value.clone(),
                    ValueSource::Generated(_) if generated => c.value.clone(),
                    _ => ValueSource::None,
                },
                ..c.clone()
            })
            .collect();
        Ok((columns, indexes.then_some(q)))
    }
}

/// `CREATE [UNLOGGED] TABLE [IF NOT EXISTS] t (LIKE s [options], ...)`
/// with `LIKE` first: the clause's words, and the statement without it.
pub(super) fn split_like(text: &str) -> Option<(Vec<String>, String)> {
    let w = words(text);
    let toks = crate::lexer::lex(text).ok()?;
    if toks.len() != w.len() {
        return None;
    }
    let i = skip_words(&w, 1, &[&["UNLOGGED"]]);
    if w.get(i)? != "TABLE" {
        return None;
    }
    let i = skip_words(&w, i + 1, &[&["IF", "NOT", "EXISTS"]]);
    let (_, open) = name_at(&w, i)?;
    if w.get(open)? != "(" || w.get(open + 1)? != "LIKE" {
        return None;
    }
    let mut k = open + 2;
    while !matches!(w.get(k)?.as_str(), "," | ")") {
        if w[k] == "(" {
            return None;
        }
        k += 1;
    }
    let clause = w[open + 1..k].to_vec();
    let keep = toks[open].offset() + 1;
    let rest = if w[k] == "," {
        toks.get(k + 1)?.offset()
    } else {
        toks[k].offset()
    };
    Some((clause, format!("{} {}", &text[..keep], &text[rest..])))
}

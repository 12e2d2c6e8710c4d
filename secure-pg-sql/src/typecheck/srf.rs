//! Functions in `FROM` whose result is one column each: `unnest` of one
//! or several arrays, `generate_series`, a scalar function; `WITH
//! ORDINALITY`; the names PostgreSQL gives their columns.
//!
//! PostgreSQL turns `UNNEST(a, b)` into `ROWS FROM (unnest(a), unnest(b))`:
//! one column per function. A function's column is named by the alias's
//! column list, else, when it is the only function, by the table alias,
//! else by the function (`chooseScalarFunctionAlias`); the ordinality
//! column is `ordinality` (bigint, never NULL) unless the list names it.
//!
//! The json functions that return rows (`jsonb_each`, `jsonb_array_elements`
//! and their `json`/`_text` forms) have named `OUT` parameters: their
//! columns are named by those (`key`, `value`), whatever the table alias.

use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Spanned, TableAlias};
use sqlparser::tokenizer::Span;

use super::expr::{strict, T, V};
use super::{name_of, Col, Cx, Rel, Scope, R};
use crate::schema::{Name, SqlType};

impl Cx<'_> {
    /// A select-list item that is a call of `unnest(array)` or
    /// `generate_series(...)` (as the whole item, where PostgreSQL allows a
    /// set-returning function): its value; `None` for any other item.
    pub(crate) fn select_item_srf(&mut self, e: &Expr, scope: &Scope<'_>) -> Option<R<V>> {
        let Expr::Function(f) = e else { return None };
        let parts = super::query::plain_parts(&f.name)?;
        let name = match parts.as_slice() {
            [n] => n.as_str(),
            [s, n] if s.as_str() == "pg_catalog" => n.as_str(),
            _ => return None,
        };
        let FunctionArguments::List(list) = &f.args else {
            return None;
        };
        if f.over.is_some()
            || f.filter.is_some()
            || !f.within_group.is_empty()
            || list.duplicate_treatment.is_some()
            || !list.clauses.is_empty()
            || !matches!(f.parameters, FunctionArguments::None)
        {
            return None;
        }
        let args: Option<Vec<&Expr>> = list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => Some(x),
                _ => None,
            })
            .collect();
        let args = args?;
        match (name, args.as_slice()) {
            ("unnest", [array]) => Some(self.unnest(array, scope)),
            ("generate_series", _) => Some(self.generate_series(&args, scope, e.span())),
            (n, _) if self.is_set_function(n) => Some(self.set_function(n, &args, scope, e.span())),
            _ => None,
        }
    }

    /// `regexp_matches(text, text [, flags])` (`text[]`),
    /// `regexp_split_to_table(text, text [, flags])` (`text`) and
    /// `generate_subscripts(array, dim [, reverse])` (`integer`): set-returning
    /// functions with one column, typed where PostgreSQL allows them (a
    /// whole select-list item, `FROM`). `None` for another name, or one the
    /// migrations also declare ([`Cx::is_set_function`] says which).
    pub(crate) fn set_function(
        &mut self,
        name: &str,
        args: &[&Expr],
        scope: &Scope<'_>,
        span: Span,
    ) -> R<V> {
        if !(2..=3).contains(&args.len()) {
            return Err(self.err(span, format!("`{name}` takes two or three arguments"), None));
        }
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.expr(a, scope)?);
        }
        let result = if name == "generate_subscripts" {
            let array = vals[0].known_type().map(|t| self.base_of(t));
            if !array.is_some_and(|t| t.array) {
                return Err(self.unsupported(
                    args[0].span(),
                    "secure-pg types `generate_subscripts` of an array of a known type",
                    "cast the argument to the array type you mean: `(...)::text[]`",
                ));
            }
            self.fixed_argument(&vals[1], &SqlType::builtin("integer"), args[1].span())?;
            if let (Some(v), Some(a)) = (vals.get(2), args.get(2)) {
                self.fixed_argument(v, &SqlType::builtin("boolean"), a.span())?;
            }
            "integer"
        } else {
            for (v, a) in vals.iter().zip(args) {
                self.text_operand(v, a.span())?;
            }
            if name == "regexp_matches" {
                "text[]"
            } else {
                "text"
            }
        };
        let ty = if let Some(elem) = result.strip_suffix("[]") {
            SqlType::builtin(elem).into_array()
        } else {
            SqlType::builtin(result)
        };
        let refs: Vec<&V> = vals.iter().collect();
        let (nullable, why) = strict(&refs);
        Ok(V::known(ty, nullable, why))
    }

    /// Whether [`Cx::set_function`] types a call of `name`: one of its
    /// functions, and not a name the migrations declare too.
    pub(crate) fn is_set_function(&self, name: &str) -> bool {
        matches!(
            name,
            "regexp_matches" | "regexp_split_to_table" | "generate_subscripts"
        ) && self
            .cat
            .functions_named(&self.search_path, &[Name::unquoted(name)])
            .is_empty()
    }

    /// The json functions in `FROM` that return rows, with their columns;
    /// `None` for another function.
    pub(crate) fn json_rows_in_from(
        &mut self,
        name: &str,
        args: &[&Expr],
        ordinality: bool,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
        span: Span,
    ) -> Option<R<Rel>> {
        let (input, columns): (&'static str, &[(&str, &'static str, bool)]) = match name {
            "jsonb_each" => ("jsonb", &[("key", "text", false), ("value", "jsonb", true)]),
            "json_each" => ("json", &[("key", "text", false), ("value", "json", true)]),
            "jsonb_each_text" => ("jsonb", &[("key", "text", false), ("value", "text", true)]),
            "json_each_text" => ("json", &[("key", "text", false), ("value", "text", true)]),
            "jsonb_array_elements" => ("jsonb", &[("value", "jsonb", true)]),
            "json_array_elements" => ("json", &[("value", "json", true)]),
            "jsonb_array_elements_text" => ("jsonb", &[("value", "text", true)]),
            "json_array_elements_text" => ("json", &[("value", "text", true)]),
            "jsonb_to_record" | "jsonb_to_recordset" => {
                return Some(
                    self.json_to_record(name, "jsonb", args, ordinality, alias, scope, span),
                )
            }
            "json_to_record" | "json_to_recordset" => {
                return Some(
                    self.json_to_record(name, "json", args, ordinality, alias, scope, span),
                )
            }
            _ => return None,
        };
        Some((|| {
            let [arg] = args else {
                return Err(self.err(span, format!("`{name}` takes one argument"), None));
            };
            let v = self.expr(arg, scope)?;
            let want = SqlType::builtin(input);
            self.fixed_argument(&v, &want, arg.span())?;
            let rel_name = alias.map_or_else(|| Name::unquoted(name), |a| name_of(&a.name));
            let mut cols: Vec<Col> = columns
                .iter()
                .map(|(n, t, nullable)| Col {
                    name: Name::unquoted(n),
                    ty: SqlType::builtin(t),
                    // Strict: a NULL argument gives no rows.
                    nullable: *nullable,
                    why: None,
                })
                .collect();
            if ordinality {
                cols.push(Col {
                    name: Name::unquoted("ordinality"),
                    ty: SqlType::builtin("bigint"),
                    nullable: false,
                    why: None,
                });
            }
            self.name_columns(&mut cols, &rel_name, alias, span)?;
            Ok(Rel {
                label: format!("{rel_name} ({name}(...))"),
                alias: rel_name,
                cols,
                schema: None,
                partial: false,
            })
        })())
    }

    /// `json[b]_to_record[set](x) AS t(a type, ...)`: the columns are the
    /// column definition list's (which the server requires), each `NULL`
    /// where the object lacks the key.
    #[allow(clippy::too_many_arguments)]
    fn json_to_record(
        &mut self,
        name: &str,
        input: &'static str,
        args: &[&Expr],
        ordinality: bool,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
        span: Span,
    ) -> R<Rel> {
        let [arg] = args else {
            return Err(self.err(span, format!("`{name}` takes one argument"), None));
        };
        let v = self.expr(arg, scope)?;
        self.fixed_argument(&v, &SqlType::builtin(input), arg.span())?;
        let Some(alias) = alias
            .filter(|a| !a.columns.is_empty() && a.columns.iter().all(|c| c.data_type.is_some()))
        else {
            return Err(self.err(
                span,
                format!("`{name}` returns `record`: it needs a column definition list"),
                Some(format!("write `{name}(...) AS t(a integer, b text)`")),
            ));
        };
        if ordinality {
            return Err(self.err(
                span,
                "`WITH ORDINALITY` cannot be used with a column definition list",
                Some("number the rows with `row_number() OVER ()` instead".into()),
            ));
        }
        let rel_name = name_of(&alias.name);
        let mut cols = Vec::new();
        for c in &alias.columns {
            let Some(dt) = &c.data_type else {
                continue;
            };
            let col = name_of(&c.name);
            cols.push(Col {
                ty: self.data_type(dt, c.name.span)?,
                nullable: true,
                why: Some(format!(
                    "`{rel_name}.{col}` is nullable: it is NULL where the object has no key `{col}`"
                )),
                name: col,
            });
        }
        Ok(Rel {
            label: format!("{rel_name} ({name}(...))"),
            alias: rel_name,
            cols,
            schema: None,
            partial: false,
        })
    }

    /// Applies a `FROM` item's column alias list, and says why each
    /// nullable column is.
    fn name_columns(
        &self,
        cols: &mut [Col],
        rel_name: &Name,
        alias: Option<&TableAlias>,
        span: Span,
    ) -> R<()> {
        if let Some(a) = alias {
            if a.columns.len() > cols.len() {
                return Err(self.err(
                    span,
                    format!(
                        "`{rel_name}` has {} columns available but {} are named",
                        cols.len(),
                        a.columns.len()
                    ),
                    Some("name as many columns as the function returns".into()),
                ));
            }
            if let Some(c) = a.columns.iter().find(|c| c.data_type.is_some()) {
                return Err(self.err(
                    c.name.span,
                    "a column definition list is only allowed for functions returning `record`",
                    Some("leave out the column types".into()),
                ));
            }
            for (col, n) in cols.iter_mut().zip(&a.columns) {
                col.name = name_of(&n.name);
            }
        }
        for c in cols.iter_mut() {
            if c.nullable {
                c.why = Some(format!(
                    "`{rel_name}.{}` is nullable: {}",
                    c.name,
                    c.why.take().unwrap_or_else(|| "it can be NULL".into())
                ));
            }
        }
        Ok(())
    }

    /// `UNNEST(a [, b ...]) [WITH ORDINALITY] [AS alias [(columns)]]`.
    pub(crate) fn unnest_in_from(
        &mut self,
        arrays: &[Expr],
        ordinality: bool,
        alias: Option<&TableAlias>,
        scope: &Scope<'_>,
        span: Span,
    ) -> R<Rel> {
        let mut vals = Vec::with_capacity(arrays.len());
        for e in arrays {
            vals.push(self.unnest(e, scope)?);
        }
        let unnest = Name::unquoted("unnest");
        let names = vec![unnest; vals.len()];
        self.rows_rel(&names, vals, ordinality, alias, span)
    }

    /// `unnest(array)`: the array's elements, each of which can be NULL.
    pub(crate) fn unnest(&mut self, e: &Expr, scope: &Scope<'_>) -> R<V> {
        let v = self.expr(e, scope)?;
        match v.known_type().map(|t| self.base_of(t)) {
            Some(t) if t.array => Ok(V::known(
                SqlType {
                    base: t.base,
                    array: false,
                },
                true,
                Some("an element of the array `unnest` reads can be NULL".into()),
            )),
            _ => Err(self.unsupported(
                e.span(),
                "secure-pg types `unnest` of an array whose type it knows",
                match &v.t {
                    T::Param(n) => {
                        format!("cast the argument: `${n}::text[]` (the array type you mean)")
                    }
                    _ => "cast the argument to the array type you mean: `(...)::text[]`".into(),
                },
            )),
        }
    }

    /// The relation of functions in `FROM` with one column each (`fnames`
    /// and `vals` in order), plus the ordinality column.
    pub(crate) fn rows_rel(
        &self,
        fnames: &[Name],
        vals: Vec<V>,
        ordinality: bool,
        alias: Option<&TableAlias>,
        span: Span,
    ) -> R<Rel> {
        let first = fnames
            .first()
            .cloned()
            .unwrap_or_else(|| Name::unquoted("unnest"));
        let rel_name = alias.map_or_else(|| first.clone(), |a| name_of(&a.name));
        let single = fnames.len() == 1;
        let mut cols: Vec<Col> = Vec::new();
        for (fname, v) in fnames.iter().zip(vals) {
            let name = if single && alias.is_some() {
                rel_name.clone()
            } else {
                fname.clone()
            };
            let (ty, nullable, why) = match v.t {
                T::Known(t) => (t, v.nullable, v.why),
                _ => (SqlType::builtin("text"), true, v.why),
            };
            cols.push(Col {
                name,
                ty,
                nullable,
                why,
            });
        }
        if ordinality {
            cols.push(Col {
                name: Name::unquoted("ordinality"),
                ty: SqlType::builtin("bigint"),
                nullable: false,
                why: None,
            });
        }
        self.name_columns(&mut cols, &rel_name, alias, span)?;
        let label = fnames
            .iter()
            .map(|f| format!("{f}(...)"))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Rel {
            label: format!("{rel_name} ({label})"),
            alias: rel_name,
            cols,
            schema: None,
            partial: false,
        })
    }
}

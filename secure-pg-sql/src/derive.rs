//! The schema checks of the `PgEnum` and `PgComposite` derives: a Rust enum
//! held against an enum type's labels, a Rust struct against a composite
//! type's attributes. Plain functions over the [`Catalog`]; the derives
//! only turn their answers into compile errors.
//!
//! A derive names its SQL type as the server stores it (`mood`, or
//! `app.mood` with its schema). What the answer can be:
//! - [`Lookup::Found`]: the type, to compare with;
//! - [`Lookup::Unknown`]: the loader left the name unknown (a statement it
//!   could not model may have made it); there is nothing to compare with,
//!   and the server still judges every value;
//! - an error: no type of that name, an ambiguous name, or a type of
//!   another kind.

use crate::schema::{Catalog, CompositeType, EnumType, Name, QualifiedName, SqlType};

/// What a derive's type name resolves to in the catalog.
#[derive(Debug)]
pub enum Lookup<'a, T> {
    /// The type.
    Found(&'a T),
    /// The loader left the name unknown; the message says why (file and
    /// line of the statement).
    Unknown(String),
}

/// The parts of a derive's `type = "..."`: `name` or `schema.name`, each
/// as the server stores it (no case folding, no quotes).
pub fn type_name_parts(written: &str) -> Result<(Option<&str>, &str), String> {
    let parts: Vec<&str> = written.split('.').collect();
    let (schema, name) = match parts.as_slice() {
        [name] => (None, *name),
        [schema, name] => (Some(*schema), *name),
        _ => {
            return Err(format!(
                "`{written}` is not a type name: write `name` or `schema.name`, as the \
                 server stores them (e.g. `mood` or `app.mood`)"
            ))
        }
    };
    if name.is_empty() || schema.is_some_and(str::is_empty) {
        return Err(format!(
            "`{written}` is not a type name: write `name` or `schema.name`, as the \
             server stores them (e.g. `mood` or `app.mood`)"
        ));
    }
    if name.contains('"') || schema.is_some_and(|s| s.contains('"')) {
        return Err(format!(
            "`{written}`: write the type's name without quotes, as the server stores it \
             (`CREATE TYPE \"Mood\"` is `type = \"Mood\"`, `CREATE TYPE Mood` is \
             `type = \"mood\"`)"
        ));
    }
    Ok((schema, name))
}

/// The kind of user type a name has in the catalog, for the messages.
fn kind_of(catalog: &Catalog, q: &QualifiedName) -> Option<&'static str> {
    if catalog.enum_type(q).is_some() {
        Some("an enum type")
    } else if catalog.composite(q).is_some() {
        Some("a composite type")
    } else if catalog.domain(q).is_some() {
        Some("a domain")
    } else if catalog.lookup(&[], Some(&q.schema), &q.name).is_some() {
        Some("a table or view")
    } else {
        None
    }
}

/// Resolves `written` to a type found by `get` (enums or composites).
/// Unqualified: `public`'s type of that name, else the only schema's that
/// has one; several are ambiguous.
fn resolve<'a, T>(
    catalog: &'a Catalog,
    written: &str,
    what: &str,
    get: impl Fn(&'a Catalog, &QualifiedName) -> Option<&'a T>,
    all: impl Fn(&'a Catalog) -> Vec<(&'a QualifiedName, &'a T)>,
) -> Result<Lookup<'a, T>, String> {
    let (schema, name) = type_name_parts(written)?;
    let name = Name::quoted(name);
    let candidates: Vec<QualifiedName> = match schema {
        Some(s) => vec![QualifiedName::new(Name::quoted(s), name.clone())],
        None => {
            let public = QualifiedName::new(Name::unquoted("public"), name.clone());
            if get(catalog, &public).is_some() || kind_of(catalog, &public).is_some() {
                vec![public]
            } else {
                let mut schemas: Vec<QualifiedName> = all(catalog)
                    .into_iter()
                    .filter(|(q, _)| q.name == name)
                    .map(|(q, _)| q.clone())
                    .collect();
                if schemas.len() > 1 {
                    schemas.sort_by_key(ToString::to_string);
                    return Err(format!(
                        "several schemas have {what} `{name}` ({}); name the one this type \
                         maps to, e.g. `type = \"{}\"`",
                        schemas
                            .iter()
                            .map(|q| format!("`{q}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        schemas[0]
                    ));
                }
                if schemas.is_empty() {
                    vec![public]
                } else {
                    schemas
                }
            }
        }
    };
    let q = &candidates[0];
    if let Some(found) = get(catalog, q) {
        return Ok(Lookup::Found(found));
    }
    if let Some(u) = catalog.unknown_type(q) {
        return Ok(Lookup::Unknown(u.unknown_message(&format!("type `{q}`"))));
    }
    if let Some(kind) = kind_of(catalog, q) {
        return Err(format!(
            "`{q}` is {kind} in the schema, not {what}; name {what} of the schema"
        ));
    }
    if let Some(u) = &catalog.unknown_rest {
        return Ok(Lookup::Unknown(u.unknown_message(&format!("type `{q}`"))));
    }
    let mut known: Vec<String> = all(catalog).iter().map(|(q, _)| q.to_string()).collect();
    known.sort();
    let bare = what
        .strip_prefix("an ")
        .or_else(|| what.strip_prefix("a "))
        .unwrap_or(what);
    let listed = if known.is_empty() {
        format!("it has no {bare} at all")
    } else {
        format!(
            "its {bare}s are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Err(format!(
        "the schema has no {bare} `{written}` ({listed}); name the type as the server \
         stores it, or, if it is created outside the schema the checks read, add \
         `unchecked = \"why\"`"
    ))
}

/// Resolves an enum type named by a `PgEnum` derive.
pub fn find_enum<'a>(catalog: &'a Catalog, written: &str) -> Result<Lookup<'a, EnumType>, String> {
    resolve(
        catalog,
        written,
        "an enum type",
        |c, q| c.enum_type(q),
        |c| c.enums().map(|e| (&e.name, e)).collect(),
    )
}

/// Resolves a composite type named by a `PgComposite` derive.
pub fn find_composite<'a>(
    catalog: &'a Catalog,
    written: &str,
) -> Result<Lookup<'a, CompositeType>, String> {
    resolve(
        catalog,
        written,
        "a composite type",
        |c, q| c.composite(q),
        |c| c.composites().map(|t| (&t.name, t)).collect(),
    )
}

/// How a Rust enum's labels differ from an enum type's.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LabelDiff {
    /// For each variant (by place) whose label the type does not have: the
    /// message, with the type's label that differs only in case if there is
    /// one.
    pub unknown_variants: Vec<(usize, String)>,
    /// The type's labels no variant reads, in the type's order.
    pub missing_labels: Vec<String>,
}

impl LabelDiff {
    /// Whether the two sides agree.
    pub fn is_empty(&self) -> bool {
        self.unknown_variants.is_empty() && self.missing_labels.is_empty()
    }

    /// The message for the labels no variant reads.
    pub fn missing_message(&self, rust_type: &str, ty: &EnumType) -> Option<String> {
        if self.missing_labels.is_empty() {
            return None;
        }
        let listed = self
            .missing_labels
            .iter()
            .map(|l| format!("'{l}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let (s, them) = if self.missing_labels.len() == 1 {
            ("", "it")
        } else {
            ("s", "each")
        };
        Some(format!(
            "enum type `{}` has the label{s} {listed}, which no variant of `{rust_type}` \
             reads: add a variant for {them} (a row holding one would fail to decode)",
            ty.name
        ))
    }
}

/// Compares a Rust enum's labels (by variant, after renames) with `ty`'s.
pub fn compare_labels(ty: &EnumType, labels: &[String]) -> LabelDiff {
    let mut diff = LabelDiff::default();
    for (i, label) in labels.iter().enumerate() {
        if ty.labels.contains(label) {
            continue;
        }
        let near = ty
            .labels
            .iter()
            .find(|l| l.to_lowercase() == label.to_lowercase())
            .or_else(|| {
                ty.labels
                    .iter()
                    .find(|l| squash(l) == squash(label) && !squash(label).is_empty())
            });
        let hint = match near {
            Some(l) => format!(
                "; its label '{l}' differs in spelling: write `#[secure_pg(rename = \"{l}\")]` \
                 on the variant, or a `rename_all` on the enum that gives it"
            ),
            None => format!(
                "; its labels are {}",
                ty.labels
                    .iter()
                    .map(|l| format!("'{l}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diff.unknown_variants.push((
            i,
            format!(
                "this variant reads and writes the label '{label}', which enum type `{}` \
                 does not have{hint}",
                ty.name
            ),
        ));
    }
    for l in &ty.labels {
        if !labels.contains(l) {
            diff.missing_labels.push(l.clone());
        }
    }
    diff
}

/// A label without case, `_` or `-`: `in-progress` and `InProgress`
/// compare equal.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-' && *c != ' ')
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a Rust struct's fields differ from a composite type's attributes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AttributeDiff {
    /// For each field (by place) the type has no attribute for: the message.
    pub unknown_fields: Vec<(usize, String)>,
    /// The type's attributes no field reads, in the type's order.
    pub missing_attributes: Vec<String>,
    /// For each field (by place) matched to an attribute: the attribute's
    /// SQL type.
    pub types: Vec<Option<SqlType>>,
}

/// Compares a struct's field names (after renames) with `ty`'s attributes.
pub fn compare_attributes(ty: &CompositeType, fields: &[String]) -> AttributeDiff {
    let mut diff = AttributeDiff::default();
    for (i, field) in fields.iter().enumerate() {
        match ty.attributes.iter().find(|(n, _)| n.as_str() == field) {
            Some((_, t)) => diff.types.push(Some(t.clone())),
            None => {
                diff.types.push(None);
                let names = ty
                    .attributes
                    .iter()
                    .map(|(n, _)| format!("`{}`", n.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ");
                diff.unknown_fields.push((
                    i,
                    format!(
                        "composite type `{}` has no attribute `{field}` (its attributes are \
                         {names}); rename the field, or give it \
                         `#[secure_pg(rename = \"attribute\")]`",
                        ty.name
                    ),
                ));
            }
        }
    }
    for (n, _) in &ty.attributes {
        if !fields.iter().any(|f| f == n.as_str()) {
            diff.missing_attributes.push(n.as_str().to_owned());
        }
    }
    diff
}

impl AttributeDiff {
    /// The message for the attributes no field reads.
    pub fn missing_message(&self, rust_type: &str, ty: &CompositeType) -> Option<String> {
        if self.missing_attributes.is_empty() {
            return None;
        }
        let listed = self
            .missing_attributes
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let s = if self.missing_attributes.len() == 1 {
            ""
        } else {
            "s"
        };
        Some(format!(
            "composite type `{}` has the attribute{s} {listed}, which no field of \
             `{rust_type}` holds: add a field for each (a value is read and written whole)",
            ty.name
        ))
    }
}

/// The labels a `rename_all` rule gives to variant names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameAll {
    /// `lowercase`: `InProgress` is `inprogress`.
    Lower,
    /// `UPPERCASE`: `INPROGRESS`.
    Upper,
    /// `snake_case`: `in_progress`.
    Snake,
    /// `SCREAMING_SNAKE_CASE`: `IN_PROGRESS`.
    ScreamingSnake,
    /// `kebab-case`: `in-progress`.
    Kebab,
    /// `camelCase`: `inProgress`.
    Camel,
    /// `PascalCase`: `InProgress` (the name as written).
    Pascal,
}

impl RenameAll {
    /// The rules by the names the attribute takes.
    pub const NAMES: &'static [(&'static str, RenameAll)] = &[
        ("lowercase", RenameAll::Lower),
        ("UPPERCASE", RenameAll::Upper),
        ("snake_case", RenameAll::Snake),
        ("SCREAMING_SNAKE_CASE", RenameAll::ScreamingSnake),
        ("kebab-case", RenameAll::Kebab),
        ("camelCase", RenameAll::Camel),
        ("PascalCase", RenameAll::Pascal),
    ];

    /// The rule named `name`.
    pub fn parse(name: &str) -> Option<RenameAll> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| *r)
    }

    /// `ident` (a Rust name, `PascalCase` or `snake_case`) under this rule.
    pub fn apply(self, ident: &str) -> String {
        let words = words(ident);
        match self {
            RenameAll::Lower => words.concat(),
            RenameAll::Upper => words.concat().to_uppercase(),
            RenameAll::Snake => words.join("_"),
            RenameAll::ScreamingSnake => words.join("_").to_uppercase(),
            RenameAll::Kebab => words.join("-"),
            RenameAll::Camel => words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == 0 { w.clone() } else { capitalize(w) })
                .collect(),
            RenameAll::Pascal => words.iter().map(|w| capitalize(w)).collect(),
        }
    }
}

/// The lower-case words of a Rust name: split at `_` and before an upper
/// case letter that starts a word (`HTTPServer` is `http`, `server`).
fn words(ident: &str) -> Vec<String> {
    let chars: Vec<char> = ident.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;

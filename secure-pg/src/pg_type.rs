//! What `#[derive(PgEnum)]` and `#[derive(PgComposite)]` expand to call:
//! the wire formats of an enum (its label's bytes) and of a composite (a
//! field count, then each field's type OID and value), and which server
//! types a derived type takes.
//!
//! Errors never carry a value: an unknown label is reported by the type's
//! name only.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};

type BoxError = Box<dyn StdError + Sync + Send>;

/// A field of a derived composite: its attribute's name, and whether the
/// field's type takes a given SQL type (its `accepts`).
pub type FieldAccepts<'a> = (&'a str, fn(&Type) -> bool);

/// Whether `ty` is `name` (in `schema` when given): the name the derive
/// was given, as the server stores it.
fn named(ty: &Type, schema: Option<&str>, name: &str) -> bool {
    ty.name() == name && schema.is_none_or(|s| ty.schema() == s)
}

/// Whether a derived enum binds to `ty`: the enum type it names, or
/// `text` (the enum's binary format, which is how an enum parameter is
/// sent without the statement cache).
pub fn enum_accepts(ty: &Type, schema: Option<&str>, name: &str) -> bool {
    match ty.kind() {
        Kind::Enum(_) => named(ty, schema, name),
        _ => *ty == Type::TEXT,
    }
}

/// Whether a derived enum reads a column of `ty`: the enum type it names
/// only. Not `text`: a type that reads text would also be read from any
/// other enum's labels (the runtime reads an enum column as text for a
/// type that takes text but not the enum), and a column of another enum
/// type is an error, not labels that happen to match.
pub fn enum_reads(ty: &Type, schema: Option<&str>, name: &str) -> bool {
    matches!(ty.kind(), Kind::Enum(_)) && named(ty, schema, name)
}

/// Writes a label (an enum's binary format is its label's UTF-8 bytes).
pub fn enum_to_sql(label: &str, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    out.put_slice(label.as_bytes());
    Ok(IsNull::No)
}

/// The label of an enum value.
pub fn enum_label(raw: &[u8]) -> Result<&str, BoxError> {
    std::str::from_utf8(raw).map_err(|_| "an enum label is not UTF-8".into())
}

/// The error for a label the Rust enum has no variant for. The label
/// itself is a value and is not shown.
pub fn unknown_label(rust_type: &str, ty: &Type) -> BoxError {
    format!(
        "a value of enum type `{}` has a label that `{rust_type}` has no variant for \
         (a label added to the type after the code was built?)",
        ty.name()
    )
    .into()
}

/// The attributes of a composite type `ty`, or the error for a type that
/// is none.
fn attributes(ty: &Type) -> Result<&[tokio_postgres::types::Field], BoxError> {
    match ty.kind() {
        Kind::Composite(fields) => Ok(fields),
        _ => Err(format!("`{}` is not a composite type", ty.name()).into()),
    }
}

/// Whether a derived composite takes `ty`: the composite type it names,
/// whose attributes are exactly the struct's fields, each of a type the
/// field takes (`fields`: name and the field type's `accepts`).
pub fn composite_accepts(
    ty: &Type,
    schema: Option<&str>,
    name: &str,
    fields: &[FieldAccepts<'_>],
) -> bool {
    let Kind::Composite(attrs) = ty.kind() else {
        return false;
    };
    named(ty, schema, name)
        && attrs.len() == fields.len()
        && attrs.iter().all(|a| {
            fields
                .iter()
                .any(|(n, accepts)| *n == a.name() && accepts(a.type_()))
        })
}

/// Writes a composite value: the attributes in the type's order, each
/// from the struct's field of the same name.
pub fn composite_to_sql(
    ty: &Type,
    fields: &[(&str, &(dyn ToSql + Sync))],
    out: &mut BytesMut,
) -> Result<IsNull, BoxError> {
    let attrs = attributes(ty)?;
    out.put_i32(i32::try_from(attrs.len())?);
    for attr in attrs {
        let Some((_, value)) = fields.iter().find(|(n, _)| *n == attr.name()) else {
            return Err(format!(
                "composite type `{}` has an attribute `{}` that the Rust type has no \
                 field for",
                ty.name(),
                attr.name()
            )
            .into());
        };
        out.put_u32(attr.type_().oid());
        let at = out.len();
        out.put_i32(0);
        match value.to_sql_checked(attr.type_(), out)? {
            IsNull::Yes => {
                out[at..at + 4].copy_from_slice(&(-1i32).to_be_bytes());
            }
            IsNull::No => {
                let len = i32::try_from(out.len() - at - 4)?;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    Ok(IsNull::No)
}

/// A composite value read into its attributes, for a derived type's
/// fields to take by name.
pub struct CompositeReader<'a> {
    ty: &'a Type,
    attrs: &'a [tokio_postgres::types::Field],
    values: Vec<Option<&'a [u8]>>,
}

/// Shows the type only: the attributes are values.
impl std::fmt::Debug for CompositeReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompositeReader")
            .field("type", &self.ty.name())
            .field("attributes", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl<'a> CompositeReader<'a> {
    /// Splits `raw`, a value of the composite type `ty`.
    pub fn new(ty: &'a Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let attrs = attributes(ty)?;
        let mut rest = raw;
        let count = take_i32(&mut rest)?;
        if usize::try_from(count).ok() != Some(attrs.len()) {
            return Err(format!(
                "a value of composite type `{}` has {count} attributes where the type has {}",
                ty.name(),
                attrs.len()
            )
            .into());
        }
        let mut values = Vec::with_capacity(attrs.len());
        for _ in attrs {
            let _oid = take_i32(&mut rest)?;
            let len = take_i32(&mut rest)?;
            if len < 0 {
                values.push(None);
                continue;
            }
            let len = usize::try_from(len)?;
            if rest.len() < len {
                return Err(truncated(ty));
            }
            let (value, tail) = rest.split_at(len);
            values.push(Some(value));
            rest = tail;
        }
        if !rest.is_empty() {
            return Err(truncated(ty));
        }
        Ok(CompositeReader { ty, attrs, values })
    }

    /// The attribute `name` read as `T` (a NULL as `T` reads one).
    pub fn get<T: FromSql<'a>>(&self, name: &str) -> Result<T, BoxError> {
        let Some(i) = self.attrs.iter().position(|a| a.name() == name) else {
            return Err(format!(
                "composite type `{}` has no attribute `{name}`",
                self.ty.name()
            )
            .into());
        };
        let attr = &self.attrs[i];
        T::from_sql_nullable(attr.type_(), self.values[i]).map_err(|e| {
            format!(
                "attribute `{name}` of composite type `{}`: {e}",
                self.ty.name()
            )
            .into()
        })
    }
}

fn take_i32(rest: &mut &[u8]) -> Result<i32, BoxError> {
    if rest.len() < 4 {
        return Err("a composite value is truncated".into());
    }
    let (head, tail) = rest.split_at(4);
    *rest = tail;
    Ok(i32::from_be_bytes([head[0], head[1], head[2], head[3]]))
}

fn truncated(ty: &Type) -> BoxError {
    format!("a value of composite type `{}` is malformed", ty.name()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::types::Field;

    fn mood() -> Type {
        Type::new(
            "mood".into(),
            90001,
            Kind::Enum(vec!["sad".into(), "ok".into()]),
            "public".into(),
        )
    }

    fn pair() -> Type {
        Type::new(
            "pair".into(),
            90002,
            Kind::Composite(vec![
                Field::new("name".into(), Type::TEXT),
                Field::new("n".into(), Type::INT4),
            ]),
            "app".into(),
        )
    }

    #[test]
    fn an_enum_binds_to_its_type_and_text_and_reads_its_type_only() {
        assert!(enum_accepts(&mood(), None, "mood"));
        assert!(enum_accepts(&mood(), Some("public"), "mood"));
        assert!(!enum_accepts(&mood(), Some("app"), "mood"));
        assert!(!enum_accepts(&mood(), None, "feeling"));
        assert!(enum_accepts(&Type::TEXT, None, "mood"));
        assert!(!enum_accepts(&Type::INT4, None, "mood"));
        // Read from its own enum type only.
        assert!(enum_reads(&mood(), None, "mood"));
        assert!(enum_reads(&mood(), Some("public"), "mood"));
        assert!(!enum_reads(&mood(), None, "feeling"));
        assert!(!enum_reads(&Type::TEXT, None, "mood"));
        // A composite of the same name is no enum.
        let not_enum = Type::new("mood".into(), 1, Kind::Composite(vec![]), "public".into());
        assert!(!enum_accepts(&not_enum, None, "mood"));
    }

    #[test]
    fn an_unknown_label_is_reported_without_the_label() {
        let e = unknown_label("Mood", &mood()).to_string();
        assert!(
            e.contains("enum type `mood`") && e.contains("`Mood`"),
            "{e}"
        );
        assert!(enum_label(&[0xff]).is_err());
        assert_eq!(enum_label(b"ok").unwrap(), "ok");
    }

    #[test]
    fn a_composite_round_trips_in_the_types_order_whatever_the_fields_order() {
        let ty = pair();
        let (n, name): (Option<i32>, String) = (None, "x".into());
        let mut out = BytesMut::new();
        // Fields given in another order than the type's.
        composite_to_sql(&ty, &[("n", &n), ("name", &name)], &mut out).unwrap();
        let mut want = Vec::new();
        want.extend_from_slice(&2i32.to_be_bytes());
        want.extend_from_slice(&25u32.to_be_bytes());
        want.extend_from_slice(&1i32.to_be_bytes());
        want.extend_from_slice(b"x");
        want.extend_from_slice(&23u32.to_be_bytes());
        want.extend_from_slice(&(-1i32).to_be_bytes());
        assert_eq!(&out[..], &want[..]);
        let r = CompositeReader::new(&ty, &out).unwrap();
        assert_eq!(r.get::<String>("name").unwrap(), "x");
        assert_eq!(r.get::<Option<i32>>("n").unwrap(), None);
        // A NULL into a type that cannot hold one names the attribute.
        let e = r.get::<i32>("n").unwrap_err().to_string();
        assert!(e.contains("attribute `n` of composite type `pair`"), "{e}");
        assert!(r.get::<i32>("missing").is_err());
        // A field the struct lacks is an error, not a NULL.
        let Err(e) = composite_to_sql(&ty, &[("name", &name)], &mut BytesMut::new()) else {
            panic!("a missing field was written")
        };
        let e = e.to_string();
        assert!(e.contains("attribute `n`"), "{e}");
    }

    #[test]
    fn a_malformed_composite_is_an_error_not_a_panic() {
        let ty = pair();
        let mut good = BytesMut::new();
        composite_to_sql(&ty, &[("n", &Some(7i32)), ("name", &"abc")], &mut good).unwrap();
        for cut in 0..good.len() {
            assert!(
                CompositeReader::new(&ty, &good[..cut]).is_err(),
                "cut {cut}"
            );
        }
        let mut long = good.to_vec();
        long.push(0);
        assert!(CompositeReader::new(&ty, &long).is_err());
        let mut count = good.to_vec();
        count[3] = 3;
        assert!(CompositeReader::new(&ty, &count).is_err());
        assert!(CompositeReader::new(&Type::TEXT, &good).is_err());
    }

    #[test]
    fn a_composite_takes_its_type_only_with_the_same_attributes() {
        fn text(t: &Type) -> bool {
            <String as ToSql>::accepts(t)
        }
        fn int(t: &Type) -> bool {
            <i32 as ToSql>::accepts(t)
        }
        let ty = pair();
        assert!(composite_accepts(
            &ty,
            None,
            "pair",
            &[("n", int), ("name", text)]
        ));
        assert!(composite_accepts(
            &ty,
            Some("app"),
            "pair",
            &[("name", text), ("n", int)]
        ));
        assert!(!composite_accepts(
            &ty,
            Some("public"),
            "pair",
            &[("name", text), ("n", int)]
        ));
        assert!(!composite_accepts(&ty, None, "pair", &[("name", text)]));
        assert!(!composite_accepts(
            &ty,
            None,
            "pair",
            &[("name", text), ("n", text)]
        ));
        assert!(!composite_accepts(
            &ty,
            None,
            "pair",
            &[("name", text), ("m", int)]
        ));
        assert!(!composite_accepts(&Type::TEXT, None, "text", &[]));
    }
}

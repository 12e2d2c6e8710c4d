//! How values cross the wire where tokio-postgres's own type rules refuse
//! what PostgreSQL accepts: an enum's label is text (its binary format is
//! the label's bytes), and a domain's value is its base type's. So a
//! string binds to an enum parameter, a base-type value to a domain
//! parameter, and an enum column reads into a `String`.

use tokio_postgres::types::{FromSql, Kind, ToSql, Type};
use tokio_postgres::Row;

/// A value sent in the binary format of `as_type` whatever type the
/// statement declares (for [`Wire::Inferred`]).
#[derive(Debug)]
pub(crate) struct EncodeAs<'p> {
    pub(crate) value: &'p (dyn ToSql + Sync),
    pub(crate) as_type: Type,
}

impl ToSql for EncodeAs<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.value.to_sql_checked(&self.as_type, out)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> tokio_postgres::types::Format {
        self.value.encode_format(&self.as_type)
    }

    tokio_postgres::types::to_sql_checked!();
}

/// The unspecified type (OID 0): the server infers it from the statement.
pub(crate) fn unspecified() -> Type {
    Type::new("unspecified".to_owned(), 0, Kind::Pseudo, String::new())
}

/// For each value bound to an enum or domain parameter of `types` that
/// does not take that type but takes its representation (`text` for an
/// enum, the base type for a domain), the value sent as that
/// representation.
pub(crate) fn adapt_to<'p>(
    types: &[Type],
    values: &[&'p (dyn ToSql + Sync)],
) -> Vec<Option<EncodeAs<'p>>> {
    let mut scratch = bytes::BytesMut::new();
    let mut accepts = |v: &(dyn ToSql + Sync), ty: &Type| {
        scratch.clear();
        v.to_sql_checked(ty, &mut scratch).is_ok()
    };
    values
        .iter()
        .zip(types)
        .map(|(value, ty)| {
            let as_type = match ty.kind() {
                Kind::Enum(_) => Type::TEXT,
                Kind::Domain(base) => base.clone(),
                _ => return None,
            };
            (!accepts(*value, ty) && accepts(*value, &as_type)).then_some(EncodeAs {
                value: *value,
                as_type,
            })
        })
        .collect()
}

/// Reads a column as `T` does, and an enum column as `T` reads `text`
/// (the enum's label), so that an enum column reads into a `String`.
pub(crate) struct LabelAsText<T>(pub(crate) T);

impl<'a, T: FromSql<'a>> FromSql<'a> for LabelAsText<T> {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        T::from_sql(read_as::<T>(ty), raw).map(LabelAsText)
    }

    fn from_sql_null(ty: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        T::from_sql_null(read_as::<T>(ty)).map(LabelAsText)
    }

    fn from_sql_nullable(
        ty: &Type,
        raw: Option<&'a [u8]>,
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        T::from_sql_nullable(read_as::<T>(ty), raw).map(LabelAsText)
    }

    fn accepts(ty: &Type) -> bool {
        T::accepts(read_as::<T>(ty))
    }
}

/// The type `T` reads a column of type `ty` as: `text` for an enum that
/// `T` does not take as itself (a `String`, say), otherwise `ty`.
fn read_as<'a, T: FromSql<'a>>(ty: &Type) -> &Type {
    match ty.kind() {
        Kind::Enum(_) if !T::accepts(ty) => &Type::TEXT,
        _ => ty,
    }
}

/// `row.try_get(index)`, reading an enum column as text when `T` does not
/// take the enum itself. Errors are tokio-postgres's own, naming `T`.
#[inline]
pub(crate) fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    index: usize,
) -> Result<T, tokio_postgres::Error> {
    let is_enum = row
        .columns()
        .get(index)
        .is_some_and(|c| matches!(c.type_().kind(), Kind::Enum(_)));
    if is_enum && !T::accepts(row.columns()[index].type_()) && T::accepts(&Type::TEXT) {
        return row.try_get::<_, LabelAsText<T>>(index).map(|v| v.0);
    }
    row.try_get(index)
}

//! How values cross the wire where tokio-postgres's own type rules refuse
//! what PostgreSQL accepts: an enum's label is text (its binary format is
//! the label's bytes), and a domain's value is its base type's. So a
//! string binds to an enum parameter, a base-type value to a domain
//! parameter, and an enum column reads into a `String`.

use tokio_postgres::types::{FromSql, Kind, ToSql, Type};
use tokio_postgres::Row;

/// A value sent in the binary format of `as_type` whatever type the
/// statement declares: an enum's label as `text`, a domain's value as its
/// base type.
#[derive(Debug)]
pub(crate) struct EncodeAs<'p> {
    value: &'p (dyn ToSql + Sync),
    as_type: Type,
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

/// Asks values which types they take. `ToSql::accepts` is not callable on
/// a `dyn ToSql`, so each question is an encoding into a reused buffer.
#[derive(Default)]
pub(crate) struct Probe(bytes::BytesMut);

impl Probe {
    /// Whether `value` takes the type `ty`.
    pub(crate) fn takes(&mut self, value: &(dyn ToSql + Sync), ty: &Type) -> bool {
        self.0.clear();
        value.to_sql_checked(ty, &mut self.0).is_ok()
    }

    /// `value` sent as `as_type`, if it takes that type.
    pub(crate) fn encode_as<'p>(
        &mut self,
        value: &'p (dyn ToSql + Sync),
        as_type: Type,
    ) -> Option<EncodeAs<'p>> {
        self.takes(value, &as_type)
            .then_some(EncodeAs { value, as_type })
    }
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
    let mut probe = Probe::default();
    values
        .iter()
        .zip(types)
        .map(|(value, ty)| {
            let as_type = match ty.kind() {
                Kind::Enum(_) => Type::TEXT,
                Kind::Domain(base) => base.clone(),
                _ => return None,
            };
            if probe.takes(*value, ty) {
                return None;
            }
            probe.encode_as(*value, as_type)
        })
        .collect()
}

/// Reads a column as `T` reads `text`: for an enum column (whose binary
/// format is its label's) that `T` does not take as itself; see [`get`].
struct LabelAsText<T>(T);

impl<'a, T: FromSql<'a>> FromSql<'a> for LabelAsText<T> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        T::from_sql(&Type::TEXT, raw).map(LabelAsText)
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        T::from_sql_null(&Type::TEXT).map(LabelAsText)
    }

    fn from_sql_nullable(
        _: &Type,
        raw: Option<&'a [u8]>,
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        T::from_sql_nullable(&Type::TEXT, raw).map(LabelAsText)
    }

    fn accepts(_: &Type) -> bool {
        T::accepts(&Type::TEXT)
    }
}

/// `row.try_get(index)`, reading an enum column as text when `T` does not
/// take the enum itself. Errors are tokio-postgres's own, naming `T`.
#[inline]
pub(crate) fn get<'a, T: FromSql<'a>>(
    row: &'a Row,
    index: usize,
) -> Result<T, tokio_postgres::Error> {
    let as_label = row.columns().get(index).is_some_and(|c| {
        matches!(c.type_().kind(), Kind::Enum(_))
            && !T::accepts(c.type_())
            && T::accepts(&Type::TEXT)
    });
    if as_label {
        return row.try_get::<_, LabelAsText<T>>(index).map(|v| v.0);
    }
    row.try_get(index)
}

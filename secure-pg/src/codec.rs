//! How values cross the wire where tokio-postgres's own type rules refuse
//! what PostgreSQL accepts: an enum's label is text (its binary format is
//! the label's bytes), and a domain's value is its base type's. So a
//! string binds to an enum parameter, a base-type value to a domain
//! parameter, and an enum column reads into a `String`.

use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};
use tokio_postgres::Row;

/// A value sent in the binary format of `as_type` whatever type the
/// statement declares: an enum's label as `text`, a domain's value as its
/// base type.
#[derive(Debug)]
pub(crate) struct EncodeAs<'p> {
    value: &'p (dyn ToSql + Sync),
    as_type: Type,
    /// `as_type` is an array (`text[]` for an enum array): sent in the
    /// text format, since an array's binary format names its element
    /// type, which the server checks against the parameter's.
    text_array: bool,
}

impl ToSql for EncodeAs<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        if !self.text_array {
            return self.value.to_sql_checked(&self.as_type, out);
        }
        let mut binary = bytes::BytesMut::new();
        match self.value.to_sql_checked(&self.as_type, &mut binary)? {
            IsNull::Yes => Ok(IsNull::Yes),
            IsNull::No => {
                array_literal(&binary, out)?;
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> tokio_postgres::types::Format {
        if self.text_array {
            return tokio_postgres::types::Format::Text;
        }
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
        let text_array = matches!(as_type.kind(), Kind::Array(_));
        self.takes(value, &as_type).then_some(EncodeAs {
            value,
            as_type,
            text_array,
        })
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
                Kind::Array(member) if matches!(member.kind(), Kind::Enum(_)) => Type::TEXT_ARRAY,
                _ => return None,
            };
            if probe.takes(*value, ty) {
                return None;
            }
            probe.encode_as(*value, as_type)
        })
        .collect()
}

/// Rewrites a `text[]` in the binary format (dimensions, then each
/// element's length and bytes) as the text format's literal (`{a,"b c"}`,
/// nested per dimension, `[lo:hi]=` before it when a lower bound is not
/// 1), which the server reads with the parameter's own element type.
fn array_literal(
    binary: &[u8],
    out: &mut bytes::BytesMut,
) -> Result<(), Box<dyn std::error::Error + Sync + Send>> {
    use bytes::BufMut;
    let malformed = || -> Box<dyn std::error::Error + Sync + Send> { "malformed array".into() };
    let mut rest = binary;
    let mut take = |n: usize| -> Result<&[u8], Box<dyn std::error::Error + Sync + Send>> {
        if rest.len() < n {
            return Err(malformed());
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let int = |b: &[u8]| i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let ndim = usize::try_from(int(take(4)?)).map_err(|_| malformed())?;
    take(8)?; // the null flag and the element type
    if ndim == 0 {
        out.put_slice(b"{}");
        return Ok(());
    }
    let mut dims = Vec::with_capacity(ndim);
    let mut bounds = Vec::new();
    for _ in 0..ndim {
        let len = usize::try_from(int(take(4)?)).map_err(|_| malformed())?;
        let lower = int(take(4)?);
        if lower != 1 {
            bounds.push(format!("[{lower}:{}]", i64::from(lower) + len as i64 - 1));
        } else {
            bounds.push(format!("[1:{len}]"));
        }
        dims.push(len);
    }
    if bounds
        .iter()
        .zip(&dims)
        .any(|(b, len)| *b != format!("[1:{len}]"))
    {
        out.put_slice(bounds.concat().as_bytes());
        out.put_u8(b'=');
    }
    let total: usize = dims.iter().product();
    // Open a brace per dimension, close and reopen them as the index rolls.
    let mut index = vec![0usize; ndim];
    for _ in 0..ndim {
        out.put_u8(b'{');
    }
    for n in 0..total {
        if n > 0 {
            // How many dimensions rolled over since the last element.
            let mut rolled = 0;
            let mut d = ndim;
            while d > 0 {
                d -= 1;
                index[d] += 1;
                if index[d] < dims[d] {
                    break;
                }
                index[d] = 0;
                rolled += 1;
            }
            for _ in 0..rolled {
                out.put_u8(b'}');
            }
            out.put_u8(b',');
            for _ in 0..rolled {
                out.put_u8(b'{');
            }
        }
        let len = int(take(4)?);
        if len < 0 {
            out.put_slice(b"NULL");
            continue;
        }
        let value = take(usize::try_from(len).map_err(|_| malformed())?)?;
        out.put_u8(b'"');
        for &b in value {
            if b == b'"' || b == b'\\' {
                out.put_u8(b'\\');
            }
            out.put_u8(b);
        }
        out.put_u8(b'"');
    }
    for _ in 0..ndim {
        out.put_u8(b'}');
    }
    if !rest.is_empty() {
        return Err(malformed());
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn literal<T: ToSql>(value: &T) -> String {
        let mut binary = bytes::BytesMut::new();
        value.to_sql(&Type::TEXT_ARRAY, &mut binary).unwrap();
        let mut out = bytes::BytesMut::new();
        array_literal(&binary, &mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn a_text_array_is_rewritten_as_its_literal() {
        assert_eq!(literal(&Vec::<String>::new()), "{}");
        assert_eq!(literal(&vec!["happy", "sad"]), r#"{"happy","sad"}"#);
        assert_eq!(
            literal(&vec![
                Some("a \"q\" \\ b,{c}"),
                None,
                Some("NULL"),
                Some("")
            ]),
            r#"{"a \"q\" \\ b,{c}",NULL,"NULL",""}"#
        );
    }

    #[test]
    fn several_dimensions_and_lower_bounds_are_kept() {
        // Two dimensions (2 x 3), lower bounds 1 and 0, built by hand.
        let mut b = Vec::new();
        for v in [2i32, 0, 25, 2, 1, 3, 0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        for s in ["a", "b", "c", "d", "e", "f"] {
            b.extend_from_slice(&1i32.to_be_bytes());
            b.extend_from_slice(s.as_bytes());
        }
        let mut out = bytes::BytesMut::new();
        array_literal(&b, &mut out).unwrap();
        assert_eq!(&out[..], br#"[1:2][0:2]={{"a","b","c"},{"d","e","f"}}"#);
        // Truncated anywhere: an error, never a panic.
        for cut in 0..b.len() {
            assert!(
                array_literal(&b[..cut], &mut bytes::BytesMut::new()).is_err(),
                "{cut}"
            );
        }
    }
}

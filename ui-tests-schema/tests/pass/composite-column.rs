// A column of a composite type (`CREATE TYPE header_pair AS (...)`) reads
// into a Rust type that implements `FromSql` for it, as an enum column does:
// the checks type the column, and tokio-postgres holds the Rust type against
// the type's name when the row is read (reading it into a `String` is a
// decode error naming the column). A nullable composite column reads into
// an `Option`. (`postgres-types` with its `derive` feature writes this impl
// for you: `#[derive(FromSql)] #[postgres(name = "header_pair")]`.)
use secure_pg::tokio_postgres::types::{FromSql, Type};
use secure_pg::{secure_query_as, Error, Pool};

type BoxError = Box<dyn std::error::Error + Sync + Send>;

struct HeaderPair {
    name: Option<String>,
    value: Option<Vec<u8>>,
}

/// The binary form of a composite: the field count, then each field's type
/// OID, its length (-1 for NULL) and its bytes.
fn fields(mut raw: &[u8]) -> Result<Vec<Option<&[u8]>>, BoxError> {
    fn take<'a>(raw: &mut &'a [u8], n: usize) -> Result<&'a [u8], BoxError> {
        if raw.len() < n {
            return Err("truncated composite".into());
        }
        let (head, rest) = raw.split_at(n);
        *raw = rest;
        Ok(head)
    }
    let count = i32::from_be_bytes(take(&mut raw, 4)?.try_into()?);
    let mut out = Vec::new();
    for _ in 0..count {
        take(&mut raw, 4)?; // the field's type OID
        let len = i32::from_be_bytes(take(&mut raw, 4)?.try_into()?);
        out.push(if len < 0 {
            None
        } else {
            Some(take(&mut raw, len as usize)?)
        });
    }
    Ok(out)
}

impl<'a> FromSql<'a> for HeaderPair {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let f = fields(raw)?;
        let (Some(name), Some(value)) = (f.first(), f.get(1)) else {
            return Err("header_pair has two fields".into());
        };
        Ok(HeaderPair {
            name: name.map(|b| String::from_sql(&Type::TEXT, b)).transpose()?,
            value: value.map(<[u8]>::to_vec),
        })
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "header_pair"
    }
}

async fn first(pool: &Pool) -> Result<Vec<(i64, Option<HeaderPair>)>, Error> {
    secure_query_as!(
        (i64, Option<HeaderPair>),
        "SELECT id, first_header FROM responses"
    )
    .fetch_all(pool)
    .await
}

async fn all(pool: &Pool, id: i64) -> Result<Vec<(Vec<HeaderPair>,)>, Error> {
    secure_query_as!(
        (Vec<HeaderPair>,),
        "SELECT headers FROM responses WHERE id = $1",
        id
    )
    .fetch_all(pool)
    .await
}

pub(crate) fn main() {
    let _ = (first, all);
    let pair = HeaderPair {
        name: None,
        value: None,
    };
    let _ = (pair.name, pair.value);
}

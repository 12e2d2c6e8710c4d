//! Column types in PostgreSQL's canonical spelling.
//!
//! Every spelling the DDL may use (`int`, `int4`, `integer`; `timestamptz`,
//! `timestamp with time zone`; `varchar(20)`; `int[]`, `integer ARRAY`...)
//! becomes one [`SqlType`], whose [`Display`](fmt::Display) is what
//! PostgreSQL's `format_type` prints for the column (with `public` on the
//! search path). `serial` and friends become their integer type, with the
//! `nextval` default and `NOT NULL` added by the DDL interpreter.

use std::fmt;

use sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType, ExactNumberInfo, GeometricTypeKind,
    IntervalFields, ObjectName, ObjectNamePart, TimezoneInfo, TypeModifier,
};

use super::catalog::{Name, QualifiedName};

/// A column's type: an element type, possibly as an array.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SqlType {
    /// The element type.
    pub base: BaseType,
    /// An array of `base` (PostgreSQL does not distinguish dimensions in
    /// column types: `int[][]` is `integer[]`).
    pub array: bool,
}

impl SqlType {
    /// A built-in scalar type without modifiers, by canonical name.
    pub fn builtin(name: &'static str) -> SqlType {
        SqlType {
            base: BaseType::Builtin(Builtin {
                name,
                typmod: Typmod::None,
            }),
            array: false,
        }
    }

    /// This type as an array.
    pub fn into_array(mut self) -> SqlType {
        self.array = true;
        self
    }
}

/// The element type of a [`SqlType`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BaseType {
    /// A type of `pg_catalog`.
    Builtin(Builtin),
    /// An enum created in the schema.
    Enum(QualifiedName),
    /// A domain created in the schema.
    Domain(QualifiedName),
    /// A composite type created in the schema (`CREATE TYPE t AS (...)`).
    Composite(QualifiedName),
    /// A type the DDL did not create but an extension it names may (say,
    /// `citext`). The type checker cannot type it and must say so.
    External(QualifiedName),
}

/// A built-in type: canonical name plus modifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Builtin {
    /// The canonical name without modifier: `integer`, `character varying`,
    /// `timestamp with time zone`, `numeric`, `double precision`...
    pub name: &'static str,
    /// The type modifier.
    pub typmod: Typmod,
}

/// A type modifier, as `format_type` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Typmod {
    /// None.
    None,
    /// `(n)` of `character varying`, `character`, `bit`, `bit varying`.
    Length(u64),
    /// `(precision,scale)` of `numeric`.
    Numeric {
        /// Total digits.
        precision: u64,
        /// Digits after the point (may be negative).
        scale: i64,
    },
    /// `(p)` of `time`, `timestamp` and `interval`: fractional second
    /// digits.
    Precision(u64),
    /// The fields of an `interval`, and its precision.
    Interval {
        /// `year`, `day to second`...
        fields: Option<&'static str>,
        /// Fractional second digits.
        precision: Option<u64>,
    },
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.typmod {
            Typmod::None => f.write_str(self.name),
            Typmod::Length(n) => write!(f, "{}({n})", self.name),
            Typmod::Numeric { precision, scale } => {
                write!(f, "{}({precision},{scale})", self.name)
            }
            Typmod::Precision(p) => match self.name.split_once(' ') {
                // `timestamp(3) with time zone`.
                Some((head, tail)) => write!(f, "{head}({p}) {tail}"),
                None => write!(f, "{}({p})", self.name),
            },
            Typmod::Interval { fields, precision } => {
                f.write_str(self.name)?;
                if let Some(fields) = fields {
                    write!(f, " {fields}")?;
                }
                if let Some(p) = precision {
                    write!(f, "({p})")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for SqlType {
    /// `format_type`'s text for the type, with `public` on the search path
    /// (types in `public` are not qualified).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.base {
            BaseType::Builtin(b) => write!(f, "{b}")?,
            BaseType::Enum(q)
            | BaseType::Domain(q)
            | BaseType::Composite(q)
            | BaseType::External(q) => {
                if q.schema.as_str() == "public" {
                    write!(f, "{}", q.name)?;
                } else {
                    write!(f, "{q}")?;
                }
            }
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// A column type as the DDL spelled it, made canonical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) ty: SqlType,
    /// `smallserial`/`serial`/`bigserial`: add the sequence default and
    /// `NOT NULL`.
    pub(crate) serial: bool,
}

/// How a named type that is not built in resolves (enums, domains,
/// extension types); an error message when it does not.
pub(crate) type UserTypes<'a> = dyn Fn(&[Name]) -> Result<BaseType, String> + 'a;

fn b(name: &'static str) -> BaseType {
    BaseType::Builtin(Builtin {
        name,
        typmod: Typmod::None,
    })
}

fn bm(name: &'static str, typmod: Typmod) -> BaseType {
    BaseType::Builtin(Builtin { name, typmod })
}

/// The canonical type of `dt`; `user` resolves names that are not built in.
pub(crate) fn canonical(dt: &DataType, user: &UserTypes<'_>) -> Result<Resolved, String> {
    let plain = |base: BaseType| {
        Ok(Resolved {
            ty: SqlType { base, array: false },
            serial: false,
        })
    };
    let unsupported = || {
        Err(format!(
            "`{dt}` is not a PostgreSQL type (or not one secure-pg knows)"
        ))
    };
    let length = |l: &Option<CharacterLength>| -> Result<Option<u64>, String> {
        match l {
            None => Ok(None),
            Some(CharacterLength::IntegerLength { length, unit: None }) => Ok(Some(*length)),
            Some(_) => Err(format!("`{dt}` is not a PostgreSQL type")),
        }
    };
    match dt {
        DataType::Array(elem) => {
            let inner = match elem {
                ArrayElemTypeDef::SquareBracket(t, _) | ArrayElemTypeDef::Qualified(t, _) => t,
                _ => return unsupported(),
            };
            let r = canonical(inner, user)?;
            if r.serial {
                return Err(format!("`{dt}`: an array of serial is not a type"));
            }
            Ok(Resolved {
                ty: r.ty.into_array(),
                serial: false,
            })
        }
        DataType::SmallInt(None) | DataType::Int2(None) => plain(b("smallint")),
        DataType::Int(None) | DataType::Integer(None) | DataType::Int4(None) => plain(b("integer")),
        DataType::BigInt(None) | DataType::Int8(None) => plain(b("bigint")),
        DataType::Real | DataType::Float4 => plain(b("real")),
        DataType::DoublePrecision | DataType::Float8 => plain(b("double precision")),
        DataType::Float(info) => match info {
            ExactNumberInfo::None => plain(b("double precision")),
            ExactNumberInfo::Precision(1..=24) => plain(b("real")),
            ExactNumberInfo::Precision(25..=53) => plain(b("double precision")),
            _ => Err(format!("`{dt}`: float precision must be between 1 and 53")),
        },
        DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => {
            let typmod = match *info {
                ExactNumberInfo::None => Typmod::None,
                ExactNumberInfo::Precision(p) => Typmod::Numeric {
                    precision: p,
                    scale: 0,
                },
                ExactNumberInfo::PrecisionAndScale(p, s) => Typmod::Numeric {
                    precision: p,
                    scale: s,
                },
            };
            plain(bm("numeric", typmod))
        }
        DataType::Bool | DataType::Boolean => plain(b("boolean")),
        DataType::Text => plain(b("text")),
        DataType::Varchar(l) | DataType::CharacterVarying(l) | DataType::CharVarying(l) => {
            plain(match length(l)? {
                Some(n) => bm("character varying", Typmod::Length(n)),
                None => b("character varying"),
            })
        }
        DataType::Char(l) | DataType::Character(l) => {
            // `character` without a length is `character(1)`.
            plain(bm("character", Typmod::Length(length(l)?.unwrap_or(1))))
        }
        DataType::Bit(n) => plain(bm("bit", Typmod::Length(n.unwrap_or(1)))),
        DataType::BitVarying(n) | DataType::VarBit(n) => plain(match n {
            Some(n) => bm("bit varying", Typmod::Length(*n)),
            None => b("bit varying"),
        }),
        DataType::Uuid => plain(b("uuid")),
        DataType::Bytea => plain(b("bytea")),
        DataType::Date => plain(b("date")),
        DataType::JSON => plain(b("json")),
        DataType::JSONB => plain(b("jsonb")),
        DataType::Regclass => plain(b("regclass")),
        DataType::TsVector => plain(b("tsvector")),
        DataType::TsQuery => plain(b("tsquery")),
        DataType::GeometricType(kind) => plain(b(match kind {
            GeometricTypeKind::Point => "point",
            GeometricTypeKind::Line => "line",
            GeometricTypeKind::LineSegment => "lseg",
            GeometricTypeKind::GeometricBox => "box",
            GeometricTypeKind::GeometricPath => "path",
            GeometricTypeKind::Polygon => "polygon",
            GeometricTypeKind::Circle => "circle",
        })),
        DataType::Time(p, tz) | DataType::Timestamp(p, tz) => {
            let ts = matches!(dt, DataType::Timestamp(..));
            let with = match tz {
                TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => false,
                TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => true,
            };
            let name = match (ts, with) {
                (true, true) => "timestamp with time zone",
                (true, false) => "timestamp without time zone",
                (false, true) => "time with time zone",
                (false, false) => "time without time zone",
            };
            plain(bm(name, p.map_or(Typmod::None, Typmod::Precision)))
        }
        DataType::Interval { fields, precision } => {
            let fields = fields.as_ref().map(|f| match f {
                IntervalFields::Year => "year",
                IntervalFields::Month => "month",
                IntervalFields::Day => "day",
                IntervalFields::Hour => "hour",
                IntervalFields::Minute => "minute",
                IntervalFields::Second => "second",
                IntervalFields::YearToMonth => "year to month",
                IntervalFields::DayToHour => "day to hour",
                IntervalFields::DayToMinute => "day to minute",
                IntervalFields::DayToSecond => "day to second",
                IntervalFields::HourToMinute => "hour to minute",
                IntervalFields::HourToSecond => "hour to second",
                IntervalFields::MinuteToSecond => "minute to second",
            });
            let typmod = match (fields, precision) {
                (None, None) => Typmod::None,
                (None, Some(p)) => Typmod::Precision(*p),
                (fields, precision) => Typmod::Interval {
                    fields,
                    precision: *precision,
                },
            };
            plain(bm("interval", typmod))
        }
        DataType::Custom(name, modifiers) => custom(dt, name, modifiers, user),
        _ => unsupported(),
    }
}

/// A type named by a plain (possibly qualified) name: built-in aliases that
/// sqlparser does not know as keywords, serials, and user types.
fn custom(
    dt: &DataType,
    name: &ObjectName,
    modifiers: &[TypeModifier],
    user: &UserTypes<'_>,
) -> Result<Resolved, String> {
    let mut parts = Vec::new();
    for part in &name.0 {
        match part {
            ObjectNamePart::Identifier(ident) => parts.push(Name::from_ident(ident)),
            ObjectNamePart::Function(_) => return Err(format!("`{dt}` is not a type name")),
        }
    }
    let numbers: Vec<u64> = modifiers
        .iter()
        .map(|m| match m {
            TypeModifier::Number(n, false) => n.parse::<u64>().ok(),
            _ => None,
        })
        .collect::<Option<_>>()
        .ok_or_else(|| format!("`{dt}`: type modifiers must be numbers"))?;
    let builtin_name = match parts.as_slice() {
        [n] => Some(n.as_str()),
        [s, n] if s.as_str() == "pg_catalog" => Some(n.as_str()),
        _ => None,
    };
    let resolved = |base: BaseType, serial: bool| {
        Ok(Resolved {
            ty: SqlType { base, array: false },
            serial,
        })
    };
    if let Some(n) = builtin_name {
        let one = |name: &'static str, typmod: fn(u64) -> Typmod| match numbers.as_slice() {
            [] => resolved(b(name), false),
            [m] => resolved(bm(name, typmod(*m)), false),
            _ => Err(format!("`{dt}` takes one modifier")),
        };
        let none = |name: &'static str, serial: bool| {
            if numbers.is_empty() {
                resolved(b(name), serial)
            } else {
                Err(format!("`{dt}` takes no modifier"))
            }
        };
        match n {
            "int2" => return none("smallint", false),
            "int4" => return none("integer", false),
            "int8" => return none("bigint", false),
            "float4" => return none("real", false),
            "float8" => return none("double precision", false),
            "bool" => return none("boolean", false),
            "smallserial" | "serial2" => return none("smallint", true),
            "serial" | "serial4" => return none("integer", true),
            "bigserial" | "serial8" => return none("bigint", true),
            "varchar" => return one("character varying", Typmod::Length),
            "bpchar" => return one("bpchar", Typmod::Length).map(bpchar),
            "varbit" => return one("bit varying", Typmod::Length),
            "timestamptz" => return one("timestamp with time zone", Typmod::Precision),
            "timetz" => return one("time with time zone", Typmod::Precision),
            "decimal" => {
                return match numbers.as_slice() {
                    [] => resolved(b("numeric"), false),
                    [p] => resolved(
                        bm(
                            "numeric",
                            Typmod::Numeric {
                                precision: *p,
                                scale: 0,
                            },
                        ),
                        false,
                    ),
                    [p, s] => resolved(
                        bm(
                            "numeric",
                            Typmod::Numeric {
                                precision: *p,
                                scale: *s as i64,
                            },
                        ),
                        false,
                    ),
                    _ => Err(format!("`{dt}` takes at most two modifiers")),
                }
            }
            _ => {}
        }
        if let Some(canonical) = PLAIN_BUILTINS.iter().find(|c| **c == n) {
            return none(canonical, false);
        }
        // `"char"` (quoted) is the one-byte internal type.
        if n == "char" {
            return none("\"char\"", false);
        }
    }
    let base = user(&parts)?;
    if !numbers.is_empty() {
        return Err(format!("`{dt}`: user-defined types take no modifier"));
    }
    resolved(base, false)
}

/// `bpchar(n)` prints as `character(n)`; bare `bpchar` as `bpchar`.
fn bpchar(mut r: Resolved) -> Resolved {
    if let BaseType::Builtin(b) = &mut r.ty.base {
        if b.typmod != Typmod::None {
            b.name = "character";
        }
    }
    r
}

/// Built-in types whose canonical name is their only spelling (beyond the
/// keywords sqlparser parses itself).
const PLAIN_BUILTINS: &[&str] = &[
    "text",
    "json",
    "jsonb",
    "uuid",
    "bytea",
    "date",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "money",
    "xml",
    "oid",
    "regclass",
    "regproc",
    "regprocedure",
    "regtype",
    "regrole",
    "regnamespace",
    "tsvector",
    "tsquery",
    "name",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    "pg_lsn",
    "pg_snapshot",
    "txid_snapshot",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "interval",
    "numeric",
    "boolean",
    "smallint",
    "integer",
    "bigint",
    "real",
];

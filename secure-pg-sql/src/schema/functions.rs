//! The signatures of the functions the migrations create, so that a query
//! calling one is typed: argument types (with defaults), and what it
//! returns (a scalar, `SETOF` a scalar, `RETURNS TABLE`, `OUT`
//! parameters). Overloads are kept side by side. A definition the loader
//! cannot read (a type it does not know, a form it does not parse) removes
//! every signature of that name, so a call of it is refused, never typed
//! against a stale signature; so does `DROP FUNCTION` or `ALTER FUNCTION`
//! of the name, whatever its argument list.

use sqlparser::ast::{ArgMode, CreateFunction, DataType, FunctionReturnType};

use super::catalog::{Name, QualifiedName};
use super::types::SqlType;

/// One argument a call passes (`IN`, `INOUT` or `VARIADIC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    /// Its name, if declared.
    pub name: Option<Name>,
    /// Its type.
    pub ty: SqlType,
    /// Whether it has a default (a call may leave it out).
    pub default: bool,
}

/// What a function returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returns {
    /// One value (`RETURNS t`, or one `OUT` parameter).
    Scalar(SqlType),
    /// A set of values (`RETURNS SETOF t`): in a select list, one value a
    /// row.
    SetOf(SqlType),
    /// Rows of named columns (`RETURNS TABLE (...)`, several `OUT`
    /// parameters, `SETOF record` with `OUT` parameters); `set` unless it
    /// is one row.
    Rows {
        /// The columns.
        columns: Vec<(Name, SqlType)>,
        /// Whether it returns a set.
        set: bool,
    },
    /// `RETURNS void`.
    Void,
    /// A procedure (`CREATE PROCEDURE`), run by `CALL`. Only one without
    /// `OUT` or `INOUT` parameters is recorded, so its `CALL` returns no
    /// row.
    Procedure,
}

/// A function the migrations create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `schema.name`.
    pub name: QualifiedName,
    /// The arguments a call passes, in order (no `VARIADIC` one: a
    /// variadic function is not recorded).
    pub inputs: Vec<Argument>,
    /// What it returns.
    pub returns: Returns,
}

impl Signature {
    /// The number of arguments a call must pass.
    pub fn required(&self) -> usize {
        self.inputs.iter().take_while(|a| !a.default).count()
    }

    /// Whether a call with `n` arguments fits.
    pub fn takes(&self, n: usize) -> bool {
        (self.required()..=self.inputs.len()).contains(&n)
    }
}

/// Reads `cf` into a signature named `name`, typing with `ty` (the loader's
/// column types). `Err`: why it cannot be recorded.
pub(crate) fn signature(
    name: QualifiedName,
    cf: &CreateFunction,
    ty: &dyn Fn(&DataType) -> Result<SqlType, String>,
) -> Result<Signature, String> {
    let mut inputs = Vec::new();
    let mut outs = Vec::new();
    for a in cf.args.iter().flatten() {
        let t = ty(&a.data_type)?;
        let arg_name = a.name.as_ref().map(Name::from_ident);
        match a.mode {
            None | Some(ArgMode::In) => inputs.push(Argument {
                name: arg_name,
                ty: t,
                default: a.default_expr.is_some(),
            }),
            Some(ArgMode::InOut) => {
                inputs.push(Argument {
                    name: arg_name.clone(),
                    ty: t.clone(),
                    default: a.default_expr.is_some(),
                });
                outs.push((arg_name, t));
            }
            Some(ArgMode::Out) => outs.push((arg_name, t)),
            Some(ArgMode::Variadic) => {
                return Err("a variadic function is not recorded".into());
            }
        }
    }
    let named_outs = |outs: Vec<(Option<Name>, SqlType)>| -> Result<Vec<(Name, SqlType)>, String> {
        outs.into_iter()
            .enumerate()
            .map(|(i, (n, t))| {
                // The server names an unnamed OUT parameter `column<n>`.
                Ok((
                    n.unwrap_or_else(|| Name::quoted(&format!("column{}", i + 1))),
                    t,
                ))
            })
            .collect()
    };
    let is = |dt: &DataType, name: &str| matches!(dt, DataType::Custom(n, m) if m.is_empty() && n.to_string().eq_ignore_ascii_case(name));
    let returns = match &cf.return_type {
        Some(FunctionReturnType::DataType(DataType::Table(Some(cols)))) => Returns::Rows {
            columns: cols
                .iter()
                .map(|c| Ok((Name::from_ident(&c.name), ty(&c.data_type)?)))
                .collect::<Result<_, String>>()?,
            set: true,
        },
        Some(FunctionReturnType::DataType(dt)) if is(dt, "void") => Returns::Void,
        Some(FunctionReturnType::DataType(dt)) if is(dt, "record") && outs.len() > 1 => {
            Returns::Rows {
                columns: named_outs(outs)?,
                set: false,
            }
        }
        Some(FunctionReturnType::SetOf(dt)) if is(dt, "record") && outs.len() > 1 => {
            Returns::Rows {
                columns: named_outs(outs)?,
                set: true,
            }
        }
        Some(FunctionReturnType::DataType(dt)) => Returns::Scalar(ty(dt)?),
        Some(FunctionReturnType::SetOf(dt)) => Returns::SetOf(ty(dt)?),
        None => match outs.len() {
            0 => return Err("a function without RETURNS or OUT parameters".into()),
            1 => Returns::Scalar(outs.remove(0).1),
            _ => Returns::Rows {
                columns: named_outs(outs)?,
                set: false,
            },
        },
    };
    Ok(Signature {
        name,
        inputs,
        returns,
    })
}

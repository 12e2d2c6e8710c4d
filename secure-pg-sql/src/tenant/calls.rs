//! Function calls and operators: inside `#[tenant_scoped]` a function is
//! called only if it is a built-in known to read no table
//! ([`crate::functions`]) or declared in `trusted_functions`, the tenant
//! setting is never written or read, and user-defined operators (which call
//! arbitrary functions) are refused.
//!
//! The check runs over the whole statement with sqlparser's visitor before
//! the rewrite, so it sees every call wherever it is: select list,
//! `WHERE`, `HAVING`, `ORDER BY`, arguments, `VALUES`, `RETURNING`, and
//! expression forms the rewriter does not walk itself.

use super::*;
use crate::functions::{self, BuiltinFunction};
use sqlparser::ast::{Visit, Visitor};
use std::ops::ControlFlow;

/// The session setting that holds the tenant for row-level security. Must
/// match the runtime's (`secure-pg/src/tenant.rs`).
pub const TENANT_SETTING: &str = "app.tenant_id";

/// How to declare a function trusted, for messages.
fn declare_hint(name: &ObjectName) -> String {
    format!(
        "if it reads no tenant data, declare it: \
         #[tenant_scoped(trusted_functions = [{name}], reason = \"...\")], \
         or mark the query `unscoped = \"reason\"`"
    )
}

/// Refuses a call of `name` unless it is accepted; `args` are the call's
/// arguments (for `current_setting`).
pub(super) fn check_call(
    opts: &TenantOptions,
    name: &ObjectName,
    args: Option<&[FunctionArg]>,
) -> Result<()> {
    let builtin = functions::builtin(name);
    match builtin {
        Some(BuiltinFunction {
            name: "set_config", ..
        }) => Err(ScopeError::refuse(
            format_args!("the function `{name}`"),
            "set_config can change the tenant setting that row-level security reads, and \
             every other session setting; it is never allowed inside #[tenant_scoped]",
        )),
        Some(BuiltinFunction {
            name: "current_setting",
            ..
        }) => current_setting(name, args),
        Some(f) if f.reads_no_table => Ok(()),
        Some(f) => Err(ScopeError::refuse(
            format_args!("the function `{name}`"),
            format_args!(
                "{}; a built-in that reads data cannot be declared trusted; read the tables \
                 directly, or mark the query `unscoped = \"reason\"`",
                f.note
            ),
        )),
        None if opts.is_trusted_function(name) => Ok(()),
        None => Err(ScopeError::refuse(
            format_args!("the function `{name}`"),
            format_args!(
                "it is not a built-in known to read no table, and the rewriter cannot see \
                 which tables a function reads; {}",
                declare_hint(name)
            ),
        )),
    }
}

/// `current_setting('name' [, missing_ok])`: only with a literal name that
/// is not the tenant setting (setting names compare case-insensitively).
fn current_setting(name: &ObjectName, args: Option<&[FunctionArg]>) -> Result<()> {
    let first = args.and_then(|args| args.first());
    let literal = match first {
        Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.as_str()),
            Value::DollarQuotedString(d) => Some(d.value.as_str()),
            _ => None,
        },
        _ => None,
    };
    match literal {
        Some(setting) if !setting.eq_ignore_ascii_case(TENANT_SETTING) => Ok(()),
        Some(setting) => Err(ScopeError::refuse(
            format_args!("`{name}('{setting}')`"),
            format_args!(
                "`{TENANT_SETTING}` is the runtime's row-level security setting, not the \
                 tenant of this query; inside #[tenant_scoped] the tenant is the function's \
                 tenant argument, so use that"
            ),
        )),
        None => Err(ScopeError::refuse(
            format_args!("the function `{name}`"),
            format_args!(
                "its first argument must be a string literal naming a setting other than \
                 `{TENANT_SETTING}`, so that the rewriter can see which setting it reads"
            ),
        )),
    }
}

/// Refuses `OPERATOR(schema.op)` outside `pg_catalog`, and operators that
/// sqlparser only knows as custom ones: either can be backed by any
/// function.
fn check_operator(op: &BinaryOperator) -> Result<()> {
    match op {
        BinaryOperator::PGCustomBinaryOperator(parts) => match parts.as_slice() {
            [schema, _] if crate::ident::fold_unquoted(schema) == "pg_catalog" => Ok(()),
            _ => Err(ScopeError::refuse(
                format_args!("the operator `{op}`"),
                "an operator written with OPERATOR(...) outside pg_catalog may be \
                 user-defined, and its function can read any table; use the built-in \
                 operator, or mark the query `unscoped = \"reason\"`",
            )),
        },
        BinaryOperator::Custom(_) => Err(ScopeError::refuse(
            format_args!("the operator `{op}`"),
            "it is not an operator the rewriter knows to be built in, and a user-defined \
             operator's function can read any table; use a built-in operator or function, \
             or mark the query `unscoped = \"reason\"`",
        )),
        _ => Ok(()),
    }
}

/// Checks every function call and operator in `statement`.
pub(super) fn check_statement(opts: &TenantOptions, statement: &Statement) -> Result<()> {
    struct Calls<'a> {
        opts: &'a TenantOptions,
    }
    impl Visitor for Calls<'_> {
        type Break = ScopeError;
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<ScopeError> {
            let checked = match expr {
                Expr::Function(f) if functions::is_array_subquery(f) => Ok(()),
                Expr::Function(f) => {
                    let args = match &f.args {
                        FunctionArguments::List(list) => Some(list.args.as_slice()),
                        _ => None,
                    };
                    check_call(self.opts, &f.name, args)
                }
                Expr::BinaryOp { op, .. }
                | Expr::AnyOp { compare_op: op, .. }
                | Expr::AllOp { compare_op: op, .. } => check_operator(op),
                _ => Ok(()),
            };
            match checked {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => ControlFlow::Break(e),
            }
        }
    }
    match statement.visit(&mut Calls { opts }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

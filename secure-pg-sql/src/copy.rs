//! The target of `secure_copy_in!` and `secure_copy_out!`: a table and the
//! columns each row fills (or gives), written `orders (customer_id, amount,
//! note)`, and the SQL the copy runs.
//!
//! The target is read by a small parser of its own (names, `.`, `(`, `,`,
//! `)`, nothing else), and every statement is written anew from the names
//! it found, each quoted: whatever the literal holds, the only SQL that
//! reaches the server is a `COPY` of those columns, so the text of the
//! target can never add an option, a clause or a second statement.
//!
//! Two ways to write the rows:
//!
//! * **direct**: `COPY t (cols) FROM STDIN (FORMAT binary)`;
//! * **through a staging table**, for `#[tenant_scoped]` functions. The
//!   caller's rows carry no tenant: they are copied into a temporary table
//!   with the listed columns, then moved with one
//!   `INSERT INTO t (cols, tenant) SELECT cols, $1 FROM staging`, where
//!   `$1` is the function's tenant. That also keeps row-level security
//!   on: PostgreSQL refuses `COPY FROM` into a table whose policies apply
//!   to the role (`0A000`), but checks every inserted row against them.
//!
//! And two ways to read them (`secure_copy_out!`):
//!
//! * **direct**: `COPY t (cols) TO STDOUT (FORMAT binary)`;
//! * **through a staging table**, for `#[tenant_scoped]` functions: `COPY`
//!   takes no parameters, so the caller's rows are first selected into a
//!   temporary table with `INSERT ... SELECT cols FROM t WHERE tenant =
//!   $1`, and that table is copied out. Row-level security filters that
//!   `SELECT` too (as it filters a plain `COPY t TO`).

use crate::ident::{fold_unquoted, quoted};

/// A parsed copy target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyTarget {
    /// The table's name parts (`["orders"]` or `["shop", "orders"]`), each
    /// as PostgreSQL resolves it.
    pub table: Vec<String>,
    /// The listed columns, in order, each as PostgreSQL resolves it.
    pub columns: Vec<String>,
}

/// The name of the staging table of a tenant-scoped copy (in `pg_temp`,
/// dropped at the end of the copy and in any case at the end of the
/// transaction).
pub const STAGING_TABLE: &str = "secure_pg_copy_in";

/// `name` as a quoted identifier (`"` doubled): exact for any name.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl CopyTarget {
    /// The table, quoted and qualified as written.
    pub fn table_sql(&self) -> String {
        self.table
            .iter()
            .map(|p| quote_ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The column list, quoted and comma-separated (without parentheses).
    pub fn columns_sql(&self) -> String {
        self.columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The table as written in the literal, for messages
    /// (`shop.orders`).
    pub fn table_display(&self) -> String {
        self.table.join(".")
    }

    /// `COPY t (cols) FROM STDIN (FORMAT binary)`.
    pub fn copy_sql(&self) -> String {
        format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            self.table_sql(),
            self.columns_sql()
        )
    }

    /// `SELECT cols FROM t`: prepared (never run) for the columns' types,
    /// which the binary format needs.
    pub fn types_sql(&self) -> String {
        format!("SELECT {} FROM {}", self.columns_sql(), self.table_sql())
    }

    /// The statement the schema checks type in the copy's place: an
    /// `INSERT` of one row, `$1..$n` in the listed columns. Its parameter
    /// types are the columns' types, and the tenant rule and rewrite treat
    /// it as they treat any insert.
    pub fn insert_sql(&self) -> String {
        let params: Vec<String> = (1..=self.columns.len()).map(|i| format!("${i}")).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.table_sql(),
            self.columns_sql(),
            params.join(", ")
        )
    }

    /// The statements of a copy through the staging table, filling
    /// `tenant_column` (of SQL type `tenant_type`, a plain identifier such
    /// as `bigint` or `uuid`) with `$1`.
    pub fn staged(&self, tenant_column: &str, tenant_type: &str) -> Staged {
        let (staging, cols) = (self.staging(STAGING_TABLE), self.columns_sql());
        Staged {
            create: self.create_staging(STAGING_TABLE),
            copy: format!("COPY {staging} ({cols}) FROM STDIN (FORMAT binary)"),
            insert: format!(
                "INSERT INTO {} ({cols}, {}) SELECT {cols}, $1::{tenant_type} FROM {staging}",
                self.table_sql(),
                quote_ident(tenant_column),
            ),
            drop: format!("DROP TABLE {staging}"),
        }
    }

    /// The staging table `name`, qualified with the temporary schema.
    fn staging(&self, name: &str) -> String {
        format!("pg_temp.{}", quote_ident(name))
    }

    /// Creates the staging table `name` with the listed columns' types,
    /// dropped at the end of the transaction in any case.
    fn create_staging(&self, name: &str) -> String {
        format!(
            "CREATE TEMPORARY TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA",
            quote_ident(name),
            self.columns_sql(),
            self.table_sql()
        )
    }
}

impl CopyTarget {
    /// `COPY t (cols) TO STDOUT (FORMAT binary)`.
    pub fn copy_out_sql(&self) -> String {
        format!(
            "COPY {} ({}) TO STDOUT (FORMAT binary)",
            self.table_sql(),
            self.columns_sql()
        )
    }

    /// The statement the schema checks type in a copy out's place: the
    /// `SELECT` of the listed columns, whose result columns the row type
    /// must read.
    pub fn select_sql(&self) -> String {
        self.types_sql()
    }

    /// The statements of a copy out through the staging table, keeping the
    /// rows whose `tenant_column` (of SQL type `tenant_type`) is `$1`.
    pub fn staged_out(&self, tenant_column: &str, tenant_type: &str) -> Staged {
        let (staging, cols) = (self.staging(STAGING_TABLE_OUT), self.columns_sql());
        Staged {
            create: self.create_staging(STAGING_TABLE_OUT),
            insert: format!(
                "INSERT INTO {staging} ({cols}) SELECT {cols} FROM {} WHERE {} = $1::{tenant_type}",
                self.table_sql(),
                quote_ident(tenant_column),
            ),
            copy: format!("COPY {staging} ({cols}) TO STDOUT (FORMAT binary)"),
            drop: format!("DROP TABLE {staging}"),
        }
    }
}

/// The name of the staging table of a tenant-scoped copy out.
pub const STAGING_TABLE_OUT: &str = "secure_pg_copy_out";

/// The statements of a copy through a staging table; see the module docs.
/// A copy in runs `create`, `copy` (the rows into the staging table),
/// `insert` (them into the table, with the tenant as `$1`) and `drop`; a
/// copy out runs `create`, `insert` (the tenant's rows, the tenant as
/// `$1`, into the staging table), `copy` (them out) and `drop`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// Creates the staging table with the listed columns' types.
    pub create: String,
    /// Copies the rows into the staging table, or out of it.
    pub copy: String,
    /// Moves rows between the table and the staging table, with the tenant
    /// as `$1`.
    pub insert: String,
    /// Drops the staging table.
    pub drop: String,
}

/// Parses `text` (`orders (customer_id, amount)`, `shop."Orders" ("Id")`).
/// The message of an error says what to write instead.
pub fn parse_target(text: &str) -> Result<CopyTarget, String> {
    const EXAMPLE: &str = "write the table and the columns each row fills, e.g. \
                           \"orders (customer_id, amount, note)\"";
    let mut p = Cursor { s: text, at: 0 };
    let mut table = Vec::new();
    loop {
        match p.name()? {
            Some(name) => table.push(name),
            None => {
                return Err(if table.is_empty() {
                    format!("the copy target must start with a table name; {EXAMPLE}")
                } else {
                    format!("expected a name after `.`; {EXAMPLE}")
                })
            }
        }
        if !p.eat('.') {
            break;
        }
    }
    if table.len() > 2 {
        return Err(format!(
            "`{}` has too many parts: name the table as `table` or `schema.table`",
            table.join(".")
        ));
    }
    if !p.eat('(') {
        return Err(if p.rest().is_empty() {
            format!(
                "list the columns each row fills after the table: `{} (column, ...)`; a copy \
                 without a column list would depend on the table's column order",
                table.join(".")
            )
        } else {
            format!(
                "unexpected `{}` after the table name; {EXAMPLE}",
                p.rest().trim_end()
            )
        });
    }
    let mut columns: Vec<String> = Vec::new();
    loop {
        let Some(column) = p.name()? else {
            return Err(format!(
                "expected a column name in the column list; {EXAMPLE}"
            ));
        };
        if columns.contains(&column) {
            return Err(format!(
                "column `{column}` is listed twice; list each column once"
            ));
        }
        columns.push(column);
        if p.eat(',') {
            continue;
        }
        if p.eat(')') {
            break;
        }
        return Err(if p.rest().is_empty() {
            "the column list is not closed; add `)`".to_owned()
        } else {
            format!(
                "unexpected `{}` in the column list; separate columns with `,` and close \
                 the list with `)`",
                p.rest().trim_end()
            )
        });
    }
    p.skip_space();
    if !p.rest().is_empty() {
        return Err(format!(
            "unexpected `{}` after the column list: the target is only the table and its \
             columns (the format, binary, is the library's); remove it",
            p.rest().trim_end()
        ));
    }
    Ok(CopyTarget { table, columns })
}

struct Cursor<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// A name (quoted or not), or `None` when none starts here.
    fn name(&mut self) -> Result<Option<String>, String> {
        self.skip_space();
        let rest = self.rest();
        if let Some(body) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = body.char_indices();
            while let Some((i, c)) = chars.next() {
                if c != '"' {
                    value.push(c);
                    continue;
                }
                if body[i + 1..].starts_with('"') {
                    value.push('"');
                    chars.next();
                    continue;
                }
                if value.is_empty() {
                    return Err("a quoted name must not be empty".to_owned());
                }
                self.at += 1 + i + 1;
                return Ok(Some(quoted(&value)));
            }
            return Err("a quoted name is not closed; add the closing `\"`".to_owned());
        }
        let starts = rest
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        if !starts {
            return Ok(None);
        }
        let len = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .map_or(rest.len(), |(i, _)| i);
        let name = fold_unquoted(&rest[..len]);
        self.at += len;
        Ok(Some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_fold_like_postgres() {
        let t = parse_target("Orders (Customer_ID, amount ,note)").unwrap();
        assert_eq!(t.table, ["orders"]);
        assert_eq!(t.columns, ["customer_id", "amount", "note"]);
        let t = parse_target(r#"shop."Odd ""Name""" ("Id")"#).unwrap();
        assert_eq!(t.table, ["shop", "Odd \"Name\""]);
        assert_eq!(t.columns, ["Id"]);
        assert_eq!(
            t.copy_sql(),
            r#"COPY "shop"."Odd ""Name""" ("Id") FROM STDIN (FORMAT binary)"#
        );
    }

    #[test]
    fn the_sql_is_written_from_the_names_only() {
        // Whatever follows the column list is refused, never passed on.
        for text in [
            "orders (a) WITH (FORMAT csv)",
            "orders (a); DROP TABLE orders",
            "orders (a) -- comment",
            "orders (a) FROM STDIN",
            "orders (a, b",
            "orders",
            "orders a",
            "a.b.c (x)",
            "(a)",
            "orders ()",
            "orders (a, a)",
            r#"orders ("")"#,
            r#"orders ("a)"#,
        ] {
            assert!(parse_target(text).is_err(), "{text} was accepted");
        }
        let t = parse_target("orders (\"a\"\"); DROP TABLE x; --\")").unwrap();
        assert_eq!(t.columns, ["a\"); DROP TABLE x; --"]);
        assert_eq!(
            t.copy_sql(),
            "COPY \"orders\" (\"a\"\"); DROP TABLE x; --\") FROM STDIN (FORMAT binary)"
        );
    }

    #[test]
    fn errors_say_what_to_write() {
        let e = parse_target("orders").unwrap_err();
        assert!(e.contains("`orders (column, ...)`"), "{e}");
        let e = parse_target("orders (a) WITH (FORMAT csv)").unwrap_err();
        assert!(
            e.contains("`WITH (FORMAT csv)`") && e.contains("remove it"),
            "{e}"
        );
        let e = parse_target("orders (a, a)").unwrap_err();
        assert!(e.contains("listed twice"), "{e}");
    }

    #[test]
    fn the_copy_out_statements() {
        let t = parse_target("shop.orders (id, \"Note\")").unwrap();
        assert_eq!(
            t.copy_out_sql(),
            "COPY \"shop\".\"orders\" (\"id\", \"Note\") TO STDOUT (FORMAT binary)"
        );
        assert_eq!(
            t.select_sql(),
            "SELECT \"id\", \"Note\" FROM \"shop\".\"orders\""
        );
        let s = t.staged_out("tenant_id", "bigint");
        assert_eq!(
            s.insert,
            "INSERT INTO pg_temp.\"secure_pg_copy_out\" (\"id\", \"Note\") SELECT \"id\", \"Note\" \
             FROM \"shop\".\"orders\" WHERE \"tenant_id\" = $1::bigint"
        );
        assert_eq!(
            s.copy,
            "COPY pg_temp.\"secure_pg_copy_out\" (\"id\", \"Note\") TO STDOUT (FORMAT binary)"
        );
        assert!(s
            .create
            .starts_with("CREATE TEMPORARY TABLE \"secure_pg_copy_out\" ON COMMIT DROP"));
    }

    #[test]
    fn the_typed_insert_and_the_staged_statements() {
        let t = parse_target("orders (customer_id, amount)").unwrap();
        assert_eq!(
            t.insert_sql(),
            r#"INSERT INTO "orders" ("customer_id", "amount") VALUES ($1, $2)"#
        );
        let s = t.staged("tenant_id", "bigint");
        assert_eq!(
            s.insert,
            r#"INSERT INTO "orders" ("customer_id", "amount", "tenant_id") SELECT "customer_id", "amount", $1::bigint FROM pg_temp."secure_pg_copy_in""#
        );
        assert_eq!(
            s.create,
            r#"CREATE TEMPORARY TABLE "secure_pg_copy_in" ON COMMIT DROP AS SELECT "customer_id", "amount" FROM "orders" WITH NO DATA"#
        );
    }
}

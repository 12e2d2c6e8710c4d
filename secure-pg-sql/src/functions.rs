//! The one table of PostgreSQL functions that secure-pg knows something
//! about.
//!
//! Two questions are answered from it, and nowhere else:
//!
//! * `#[tenant_scoped]` accepts a function call only if the function is here
//!   with [`BuiltinFunction::reads_no_table`] (or the attribute declares it
//!   trusted): a function can read any table internally, and the rewriter
//!   cannot see inside it.
//! * [`crate::session::changes_session`] flags every statement that calls a
//!   function which is not here with [`BuiltinFunction::session_neutral`]:
//!   an unknown function may `set_config`, take a session lock or create a
//!   temporary table.
//!
//! A name matches an entry only when it is unqualified or qualified with
//! `pg_catalog`, compared as PostgreSQL compares names
//! ([`crate::ident`]): `public.lower` is a user function, and so is
//! `"LOWER"`.
//!
//! # Choosing entries
//!
//! An entry is `reads_no_table` only if PostgreSQL's documentation and
//! source show that it computes its result from its arguments (and the
//! clock, the random generator, the catalogs' type and text-search
//! information, or the session's own identity), and never runs SQL text,
//! opens a table or cursor, or reads files, large objects or other
//! databases. Functions that do any of that are listed too, with the flag
//! off, so that refusals can say why. It is `session_neutral` only if it
//! leaves nothing behind that a later user of the connection could see:
//! `nextval` is not (it sets `currval` / `lastval`), nor is `setseed`, a
//! session advisory lock or `set_config`.
//!
//! Anything not listed is treated as reading tables and changing the
//! session. Adding an entry is a security decision: check the function's
//! definition, not its name.

use crate::ident::pg_name;
use sqlparser::ast::{Function, FunctionArguments, ObjectName, ObjectNamePart};

/// What secure-pg knows about one built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinFunction {
    /// The function's name in `pg_catalog` (lower case).
    pub name: &'static str,
    /// It reads no table (nor files, large objects, cursors, other
    /// databases) and runs no SQL: its result depends only on its
    /// arguments, the clock, randomness and catalog metadata. Only these
    /// are accepted inside `#[tenant_scoped]`.
    pub reads_no_table: bool,
    /// It leaves no state on the session that a later user of the pooled
    /// connection could observe.
    pub session_neutral: bool,
    /// It returns a set of rows (may appear in `FROM`).
    pub set_returning: bool,
    /// It is SQL syntax written like a call (`COALESCE(a, b)`, `ROW(1, 2)`,
    /// `CURRENT_TIMESTAMP`), not a function in `pg_catalog`: only the bare
    /// unquoted keyword means it, while `"coalesce"(x)` or
    /// `pg_catalog.coalesce(x)` would call a function of that name.
    pub syntax: bool,
    /// Why it is not `reads_no_table` or not `session_neutral`, for
    /// messages; empty for the plain ones.
    pub note: &'static str,
}

const fn pure(name: &'static str) -> BuiltinFunction {
    BuiltinFunction {
        name,
        reads_no_table: true,
        session_neutral: true,
        set_returning: false,
        syntax: false,
        note: "",
    }
}

const fn syntax(name: &'static str) -> BuiltinFunction {
    BuiltinFunction {
        syntax: true,
        ..pure(name)
    }
}

const fn rows(name: &'static str) -> BuiltinFunction {
    BuiltinFunction {
        set_returning: true,
        ..pure(name)
    }
}

/// Reads no table, but leaves state on the session.
const fn stateful(name: &'static str, note: &'static str) -> BuiltinFunction {
    BuiltinFunction {
        session_neutral: false,
        note,
        ..pure(name)
    }
}

/// Reads tables, files or other data the rewriter cannot scope; may also
/// run SQL or leave state behind, so it is never treated as neutral.
const fn reads(name: &'static str, note: &'static str) -> BuiltinFunction {
    BuiltinFunction {
        name,
        reads_no_table: false,
        session_neutral: false,
        set_returning: false,
        syntax: false,
        note,
    }
}

const RUNS_SQL: &str = "it runs SQL text, which the rewriter cannot see or scope";
const READS_TABLE: &str = "it reads a whole table, schema or database by name, for every tenant";
const CURSOR: &str = "it reads from a cursor, whose query the rewriter cannot see";
const FILES: &str = "it reads files on the database server";
const LARGE_OBJECT: &str = "large objects are shared by all tenants";
const DBLINK: &str = "it runs SQL on another connection";
const SEQUENCE: &str = "it sets the session's currval/lastval";
const SETTING: &str = "it changes a setting of the session";
const ADVISORY: &str = "session-level advisory locks outlive the statement";
const SEED: &str = "it reseeds the session's random generator";

/// Every function secure-pg knows, see the module docs.
pub const BUILTIN_FUNCTIONS: &[BuiltinFunction] = &[
    // ----- aggregates -------------------------------------------------------
    pure("count"),
    pure("sum"),
    pure("avg"),
    pure("min"),
    pure("max"),
    pure("array_agg"),
    pure("string_agg"),
    pure("bool_and"),
    pure("bool_or"),
    pure("every"),
    pure("bit_and"),
    pure("bit_or"),
    pure("bit_xor"),
    pure("json_agg"),
    pure("json_agg_strict"),
    pure("jsonb_agg"),
    pure("jsonb_agg_strict"),
    pure("json_object_agg"),
    pure("json_object_agg_strict"),
    pure("json_object_agg_unique"),
    pure("json_object_agg_unique_strict"),
    pure("jsonb_object_agg"),
    pure("jsonb_object_agg_strict"),
    pure("jsonb_object_agg_unique"),
    pure("jsonb_object_agg_unique_strict"),
    pure("any_value"),
    pure("range_agg"),
    pure("range_intersect_agg"),
    pure("stddev"),
    pure("stddev_pop"),
    pure("stddev_samp"),
    pure("variance"),
    pure("var_pop"),
    pure("var_samp"),
    pure("corr"),
    pure("covar_pop"),
    pure("covar_samp"),
    pure("regr_avgx"),
    pure("regr_avgy"),
    pure("regr_count"),
    pure("regr_intercept"),
    pure("regr_r2"),
    pure("regr_slope"),
    pure("regr_sxx"),
    pure("regr_sxy"),
    pure("regr_syy"),
    pure("percentile_cont"),
    pure("percentile_disc"),
    pure("mode"),
    syntax("grouping"),
    // ----- window functions -------------------------------------------------
    pure("row_number"),
    pure("rank"),
    pure("dense_rank"),
    pure("percent_rank"),
    pure("cume_dist"),
    pure("ntile"),
    pure("lag"),
    pure("lead"),
    pure("first_value"),
    pure("last_value"),
    pure("nth_value"),
    // ----- conditional ------------------------------------------------------
    syntax("coalesce"),
    syntax("nullif"),
    syntax("greatest"),
    syntax("least"),
    pure("num_nulls"),
    pure("num_nonnulls"),
    // ----- math -------------------------------------------------------------
    pure("abs"),
    pure("cbrt"),
    pure("ceil"),
    pure("ceiling"),
    pure("degrees"),
    pure("div"),
    pure("erf"),
    pure("erfc"),
    pure("exp"),
    pure("factorial"),
    pure("floor"),
    pure("gcd"),
    pure("lcm"),
    pure("ln"),
    pure("log"),
    pure("log10"),
    pure("min_scale"),
    pure("mod"),
    pure("pi"),
    pure("pow"),
    pure("power"),
    pure("radians"),
    pure("round"),
    pure("scale"),
    pure("sign"),
    pure("sqrt"),
    pure("trim_scale"),
    pure("trunc"),
    pure("width_bucket"),
    pure("random"),
    pure("random_normal"),
    stateful("setseed", SEED),
    pure("acos"),
    pure("acosd"),
    pure("asin"),
    pure("asind"),
    pure("atan"),
    pure("atand"),
    pure("atan2"),
    pure("atan2d"),
    pure("cos"),
    pure("cosd"),
    pure("cot"),
    pure("cotd"),
    pure("sin"),
    pure("sind"),
    pure("tan"),
    pure("tand"),
    pure("sinh"),
    pure("cosh"),
    pure("tanh"),
    pure("asinh"),
    pure("acosh"),
    pure("atanh"),
    // ----- strings and bytes ------------------------------------------------
    pure("ascii"),
    pure("bit_length"),
    pure("btrim"),
    pure("casefold"),
    pure("char_length"),
    pure("character_length"),
    pure("chr"),
    pure("concat"),
    pure("concat_ws"),
    pure("convert"),
    pure("convert_from"),
    pure("convert_to"),
    pure("decode"),
    pure("encode"),
    pure("format"),
    pure("get_bit"),
    pure("get_byte"),
    pure("initcap"),
    pure("left"),
    pure("length"),
    pure("lower"),
    pure("lpad"),
    pure("ltrim"),
    pure("md5"),
    pure("normalize"),
    pure("octet_length"),
    pure("overlay"),
    pure("position"),
    pure("quote_ident"),
    pure("quote_literal"),
    pure("quote_nullable"),
    pure("regexp_count"),
    pure("regexp_instr"),
    pure("regexp_like"),
    pure("regexp_match"),
    rows("regexp_matches"),
    pure("regexp_replace"),
    pure("regexp_split_to_array"),
    rows("regexp_split_to_table"),
    pure("regexp_substr"),
    pure("repeat"),
    pure("replace"),
    pure("reverse"),
    pure("right"),
    pure("rpad"),
    pure("rtrim"),
    pure("set_bit"),
    pure("set_byte"),
    pure("sha224"),
    pure("sha256"),
    pure("sha384"),
    pure("sha512"),
    pure("split_part"),
    pure("starts_with"),
    pure("string_to_array"),
    rows("string_to_table"),
    pure("strpos"),
    pure("substr"),
    pure("substring"),
    pure("to_ascii"),
    pure("to_bin"),
    pure("to_hex"),
    pure("to_oct"),
    pure("translate"),
    syntax("trim"),
    pure("unistr"),
    pure("upper"),
    // ----- formatting -------------------------------------------------------
    pure("to_char"),
    pure("to_date"),
    pure("to_number"),
    pure("to_timestamp"),
    // ----- date and time ----------------------------------------------------
    pure("age"),
    pure("clock_timestamp"),
    syntax("current_date"),
    syntax("current_time"),
    syntax("current_timestamp"),
    pure("date_add"),
    pure("date_bin"),
    pure("date_part"),
    pure("date_subtract"),
    pure("date_trunc"),
    pure("extract"),
    pure("isfinite"),
    pure("justify_days"),
    pure("justify_hours"),
    pure("justify_interval"),
    syntax("localtime"),
    syntax("localtimestamp"),
    pure("make_date"),
    pure("make_interval"),
    pure("make_time"),
    pure("make_timestamp"),
    pure("make_timestamptz"),
    pure("now"),
    pure("statement_timestamp"),
    pure("timeofday"),
    pure("timezone"),
    pure("transaction_timestamp"),
    pure("pg_sleep"),
    pure("pg_sleep_for"),
    pure("pg_sleep_until"),
    // ----- JSON -------------------------------------------------------------
    pure("to_json"),
    pure("to_jsonb"),
    pure("array_to_json"),
    pure("row_to_json"),
    pure("json_build_array"),
    pure("jsonb_build_array"),
    pure("json_build_object"),
    pure("jsonb_build_object"),
    pure("json_object"),
    pure("jsonb_object"),
    pure("json_array_length"),
    pure("jsonb_array_length"),
    pure("json_extract_path"),
    pure("json_extract_path_text"),
    pure("jsonb_extract_path"),
    pure("jsonb_extract_path_text"),
    pure("json_typeof"),
    pure("jsonb_typeof"),
    pure("json_strip_nulls"),
    pure("jsonb_strip_nulls"),
    pure("jsonb_set"),
    pure("jsonb_set_lax"),
    pure("jsonb_insert"),
    pure("jsonb_pretty"),
    pure("jsonb_path_exists"),
    pure("jsonb_path_match"),
    rows("jsonb_path_query"),
    pure("jsonb_path_query_array"),
    pure("jsonb_path_query_first"),
    pure("json_populate_record"),
    pure("jsonb_populate_record"),
    rows("json_populate_recordset"),
    rows("jsonb_populate_recordset"),
    pure("json_to_record"),
    pure("jsonb_to_record"),
    rows("json_to_recordset"),
    rows("jsonb_to_recordset"),
    rows("json_array_elements"),
    rows("json_array_elements_text"),
    rows("jsonb_array_elements"),
    rows("jsonb_array_elements_text"),
    rows("json_each"),
    rows("json_each_text"),
    rows("jsonb_each"),
    rows("jsonb_each_text"),
    rows("json_object_keys"),
    rows("jsonb_object_keys"),
    syntax("json_scalar"),
    syntax("json_serialize"),
    syntax("json_array"),
    // ----- arrays -----------------------------------------------------------
    pure("array_append"),
    pure("array_cat"),
    pure("array_dims"),
    pure("array_fill"),
    pure("array_length"),
    pure("array_lower"),
    pure("array_ndims"),
    pure("array_position"),
    pure("array_positions"),
    pure("array_prepend"),
    pure("array_remove"),
    pure("array_replace"),
    pure("array_reverse"),
    pure("array_sample"),
    pure("array_shuffle"),
    pure("array_sort"),
    pure("array_to_string"),
    pure("array_upper"),
    pure("cardinality"),
    pure("trim_array"),
    rows("unnest"),
    rows("generate_subscripts"),
    rows("generate_series"),
    // ----- ranges -----------------------------------------------------------
    pure("int4range"),
    pure("int8range"),
    pure("numrange"),
    pure("tsrange"),
    pure("tstzrange"),
    pure("daterange"),
    pure("isempty"),
    pure("lower_inc"),
    pure("upper_inc"),
    pure("lower_inf"),
    pure("upper_inf"),
    pure("range_merge"),
    // ----- network addresses ------------------------------------------------
    pure("abbrev"),
    pure("broadcast"),
    pure("family"),
    pure("host"),
    pure("hostmask"),
    pure("inet_merge"),
    pure("inet_same_family"),
    pure("masklen"),
    pure("netmask"),
    pure("network"),
    pure("set_masklen"),
    // ----- UUIDs ------------------------------------------------------------
    pure("gen_random_uuid"),
    pure("uuidv4"),
    pure("uuidv7"),
    pure("uuid_extract_timestamp"),
    pure("uuid_extract_version"),
    // ----- text search (reads text-search configuration, no table) ---------
    pure("to_tsvector"),
    pure("to_tsquery"),
    pure("plainto_tsquery"),
    pure("phraseto_tsquery"),
    pure("websearch_to_tsquery"),
    pure("ts_rank"),
    pure("ts_rank_cd"),
    pure("ts_headline"),
    pure("setweight"),
    pure("strip"),
    pure("numnode"),
    pure("querytree"),
    reads("ts_stat", RUNS_SQL),
    // ----- XML (computed from the argument) ---------------------------------
    pure("xpath"),
    pure("xpath_exists"),
    pure("xml_is_well_formed"),
    pure("xml_is_well_formed_document"),
    pure("xml_is_well_formed_content"),
    pure("xmlcomment"),
    syntax("xmlconcat"),
    pure("xmlagg"),
    pure("xmltext"),
    syntax("xmlparse"),
    syntax("xmlserialize"),
    syntax("xmlelement"),
    syntax("xmlforest"),
    // ----- row constructor --------------------------------------------------
    syntax("row"),
    // ----- session information ----------------------------------------------
    syntax("current_user"),
    syntax("current_role"),
    syntax("session_user"),
    syntax("user"),
    syntax("current_catalog"),
    pure("current_database"),
    pure("current_schema"),
    pure("pg_backend_pid"),
    pure("pg_typeof"),
    pure("version"),
    // The rewriter refuses `current_setting` on the tenant setting, and
    // `set_config` always.
    pure("current_setting"),
    stateful("set_config", SETTING),
    // ----- sequences --------------------------------------------------------
    stateful("nextval", SEQUENCE),
    stateful("setval", SEQUENCE),
    pure("currval"),
    pure("lastval"),
    // ----- advisory locks ---------------------------------------------------
    stateful("pg_advisory_lock", ADVISORY),
    stateful("pg_advisory_lock_shared", ADVISORY),
    stateful("pg_try_advisory_lock", ADVISORY),
    stateful("pg_try_advisory_lock_shared", ADVISORY),
    stateful("pg_advisory_unlock", ADVISORY),
    stateful("pg_advisory_unlock_shared", ADVISORY),
    stateful("pg_advisory_unlock_all", ADVISORY),
    // Released at the end of the transaction; the pool never hands out a
    // connection that is still inside one.
    pure("pg_advisory_xact_lock"),
    pure("pg_advisory_xact_lock_shared"),
    pure("pg_try_advisory_xact_lock"),
    pure("pg_try_advisory_xact_lock_shared"),
    // ----- known to read tables, files or other data -------------------------
    reads("query_to_xml", RUNS_SQL),
    reads("query_to_xmlschema", RUNS_SQL),
    reads("query_to_xml_and_xmlschema", RUNS_SQL),
    reads("table_to_xml", READS_TABLE),
    reads("table_to_xmlschema", READS_TABLE),
    reads("table_to_xml_and_xmlschema", READS_TABLE),
    reads("schema_to_xml", READS_TABLE),
    reads("schema_to_xmlschema", READS_TABLE),
    reads("schema_to_xml_and_xmlschema", READS_TABLE),
    reads("database_to_xml", READS_TABLE),
    reads("database_to_xmlschema", READS_TABLE),
    reads("database_to_xml_and_xmlschema", READS_TABLE),
    reads("cursor_to_xml", CURSOR),
    reads("cursor_to_xmlschema", CURSOR),
    reads("pg_read_file", FILES),
    reads("pg_read_binary_file", FILES),
    reads("pg_ls_dir", FILES),
    reads("pg_stat_file", FILES),
    reads("lo_import", LARGE_OBJECT),
    reads("lo_export", LARGE_OBJECT),
    reads("lo_get", LARGE_OBJECT),
    reads("lo_put", LARGE_OBJECT),
    reads("lo_from_bytea", LARGE_OBJECT),
    reads("lo_create", LARGE_OBJECT),
    reads("lo_creat", LARGE_OBJECT),
    reads("lo_unlink", LARGE_OBJECT),
    reads("lo_open", LARGE_OBJECT),
    reads("lo_close", LARGE_OBJECT),
    reads("loread", LARGE_OBJECT),
    reads("lowrite", LARGE_OBJECT),
    reads("lo_lseek", LARGE_OBJECT),
    reads("lo_lseek64", LARGE_OBJECT),
    reads("lo_tell", LARGE_OBJECT),
    reads("lo_tell64", LARGE_OBJECT),
    reads("lo_truncate", LARGE_OBJECT),
    reads("lo_truncate64", LARGE_OBJECT),
    reads("dblink", DBLINK),
    reads("dblink_exec", DBLINK),
    reads("dblink_connect", DBLINK),
    reads("dblink_connect_u", DBLINK),
    reads("dblink_disconnect", DBLINK),
    reads("dblink_open", DBLINK),
    reads("dblink_fetch", DBLINK),
    reads("dblink_close", DBLINK),
    reads("dblink_send_query", DBLINK),
    reads("dblink_get_result", DBLINK),
];

/// The entry for `name` (already resolved as PostgreSQL resolves names,
/// see [`crate::ident`]), if any.
pub fn lookup(name: &str) -> Option<&'static BuiltinFunction> {
    BUILTIN_FUNCTIONS.iter().find(|f| f.name == name)
}

/// The entry for a function called as `name`: only an unqualified or
/// `pg_catalog`-qualified name can be a built-in.
pub fn builtin(name: &ObjectName) -> Option<&'static BuiltinFunction> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => Some(pg_name(ident)),
            ObjectNamePart::Function(_) => None,
        })
        .collect::<Option<_>>()?;
    let unquoted = name
        .0
        .iter()
        .all(|part| matches!(part, ObjectNamePart::Identifier(i) if i.quote_style.is_none()));
    match parts.as_slice() {
        [function] => lookup(function).filter(|f| !f.syntax || unquoted),
        [schema, function] if schema == "pg_catalog" => lookup(function).filter(|f| !f.syntax),
        _ => None,
    }
}

/// `ARRAY(subquery)`, which is syntax, not a call, but which sqlparser
/// parses as a function named `ARRAY` (the subquery itself is an ordinary
/// query and is walked as one).
pub fn is_array_subquery(function: &Function) -> bool {
    matches!(function.args, FunctionArguments::Subquery(_))
        && matches!(function.name.0.as_slice(),
            [ObjectNamePart::Identifier(ident)]
                if ident.quote_style.is_none() && ident.value.eq_ignore_ascii_case("array"))
}

/// Whether calling `name` leaves the session as it was (unknown functions
/// do not).
pub fn is_session_neutral(name: &ObjectName) -> bool {
    builtin(name).is_some_and(|f| f.session_neutral)
}

/// Whether `name` is a built-in known to read no table.
pub fn reads_no_table(name: &ObjectName) -> bool {
    builtin(name).is_some_and(|f| f.reads_no_table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::Ident;

    #[test]
    fn names_are_unique_lowercase_and_valid() {
        for (i, f) in BUILTIN_FUNCTIONS.iter().enumerate() {
            assert!(
                f.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                f.name
            );
            assert!(
                BUILTIN_FUNCTIONS[..i].iter().all(|g| g.name != f.name),
                "duplicate {}",
                f.name
            );
            // Whatever reads a table or is not neutral says why.
            assert_eq!(
                f.note.is_empty(),
                f.reads_no_table && f.session_neutral,
                "{}",
                f.name
            );
            // Something that reads data is never treated as harmless for
            // the session either.
            assert!(f.reads_no_table || !f.session_neutral, "{}", f.name);
        }
    }

    #[test]
    fn the_issue_s_examples() {
        for name in [
            "nextval",
            "setval",
            "set_config",
            "pg_advisory_lock",
            "setseed",
        ] {
            let f = lookup(name).unwrap();
            assert!(f.reads_no_table && !f.session_neutral, "{name}");
        }
        for name in [
            "query_to_xml",
            "table_to_xml",
            "cursor_to_xml",
            "database_to_xml",
            "schema_to_xml",
            "pg_read_file",
            "lo_import",
            "lo_get",
            "dblink",
            "dblink_connect",
        ] {
            let f = lookup(name).unwrap();
            assert!(!f.reads_no_table && !f.session_neutral, "{name}");
        }
        for name in ["lower", "count", "coalesce", "jsonb_extract_path", "xpath"] {
            let f = lookup(name).unwrap();
            assert!(f.reads_no_table && f.session_neutral, "{name}");
        }
    }

    fn name(parts: &[Ident]) -> ObjectName {
        ObjectName::from(parts.to_vec())
    }

    #[test]
    fn only_unqualified_or_pg_catalog_names_are_built_ins() {
        assert!(reads_no_table(&name(&[Ident::new("LOWER")])));
        assert!(reads_no_table(&name(&[Ident::with_quote('"', "lower")])));
        assert!(reads_no_table(&name(&[
            Ident::new("PG_CATALOG"),
            Ident::new("lower")
        ])));
        assert!(!reads_no_table(&name(&[Ident::with_quote('"', "LOWER")])));
        assert!(!reads_no_table(&name(&[
            Ident::new("public"),
            Ident::new("lower")
        ])));
        assert!(!reads_no_table(&name(&[
            Ident::with_quote('"', "PG_CATALOG"),
            Ident::new("lower")
        ])));
        assert!(!reads_no_table(&name(&[
            Ident::new("db"),
            Ident::new("pg_catalog"),
            Ident::new("lower")
        ])));
        // U+212A KELVIN SIGN does not fold to `k`.
        assert!(!reads_no_table(&name(&[Ident::new("ran\u{212A}")])));
        assert!(reads_no_table(&name(&[Ident::new("RANK")])));
        // Syntax only as the bare keyword.
        assert!(reads_no_table(&name(&[Ident::new("COALESCE")])));
        assert!(!reads_no_table(&name(&[Ident::with_quote(
            '"', "coalesce"
        )])));
        assert!(!reads_no_table(&name(&[
            Ident::new("pg_catalog"),
            Ident::new("coalesce")
        ])));
        assert!(!reads_no_table(&name(&[Ident::new("slugify")])));
    }
}

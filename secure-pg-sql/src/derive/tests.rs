use super::*;
use crate::schema::Catalog;

fn catalog(sql: &str) -> Catalog {
    Catalog::from_files_partial(&[("schema.sql", sql)])
}

fn labels(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| s.to_string()).collect()
}

#[test]
fn an_enum_is_found_in_public_by_its_stored_name() {
    let c = catalog("CREATE TYPE Mood AS ENUM ('sad', 'ok');");
    let Ok(Lookup::Found(e)) = find_enum(&c, "mood") else {
        panic!("not found")
    };
    assert_eq!(e.labels, labels(&["sad", "ok"]));
    // The stored name is folded: `Mood` is not it.
    let err = find_enum(&c, "Mood").unwrap_err();
    assert_eq!(
        err,
        "the schema has no enum type `Mood` (its enum types are `public.mood`); name the \
         type as the server stores it, or, if it is created outside the schema the checks \
         read, add `unchecked = \"why\"`"
    );
}

#[test]
fn an_enum_of_another_schema_is_found_qualified_or_alone() {
    let c = catalog(
        "CREATE SCHEMA app; CREATE SCHEMA billing;
         CREATE TYPE app.state AS ENUM ('a');
         CREATE TYPE billing.state AS ENUM ('b');
         CREATE TYPE app.level AS ENUM ('x');",
    );
    let Ok(Lookup::Found(e)) = find_enum(&c, "billing.state") else {
        panic!()
    };
    assert_eq!(e.labels, labels(&["b"]));
    let Ok(Lookup::Found(e)) = find_enum(&c, "level") else {
        panic!()
    };
    assert_eq!(e.labels, labels(&["x"]));
    let err = find_enum(&c, "state").unwrap_err();
    assert!(err.contains("several schemas"), "{err}");
    assert!(err.contains("`app.state`, `billing.state`"), "{err}");
    assert!(err.contains("type = \"app.state\""), "{err}");
}

#[test]
fn a_type_of_another_kind_is_named_as_such() {
    let c = catalog(
        "CREATE TYPE pair AS (a int, b text);
         CREATE DOMAIN posint AS int CHECK (VALUE > 0);
         CREATE TABLE t (id int);",
    );
    let err = find_enum(&c, "pair").unwrap_err();
    assert!(err.contains("`public.pair` is a composite type"), "{err}");
    let err = find_enum(&c, "posint").unwrap_err();
    assert!(err.contains("is a domain"), "{err}");
    let err = find_composite(&c, "t").unwrap_err();
    assert!(err.contains("is a table or view"), "{err}");
    assert!(matches!(find_composite(&c, "pair"), Ok(Lookup::Found(_))));
}

#[test]
fn a_name_the_loader_left_unknown_is_not_checked() {
    // A DO block the loader cannot decide may create anything.
    let c = catalog(
        "DO $$ BEGIN EXECUTE 'CREATE TYPE ' || current_setting('x') || ' AS ENUM (''a'')'; END $$;",
    );
    match find_enum(&c, "mood") {
        Ok(Lookup::Unknown(why)) => assert!(why.contains("schema.sql"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_names_are_refused_with_the_form_to_write() {
    let c = catalog("");
    for bad in ["", "a.b.c", ".x", "\"Mood\""] {
        let err = find_enum(&c, bad).unwrap_err();
        assert!(
            err.contains("`name` or `schema.name`") || err.contains("without quotes"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn labels_are_compared_both_ways_with_spelling_hints() {
    let c = catalog("CREATE TYPE status AS ENUM ('new', 'in-progress', 'done', 'archived');");
    let Ok(Lookup::Found(e)) = find_enum(&c, "status") else {
        panic!()
    };
    assert!(compare_labels(e, &labels(&["new", "in-progress", "done", "archived"])).is_empty());
    // Order does not matter.
    assert!(compare_labels(e, &labels(&["done", "new", "archived", "in-progress"])).is_empty());

    let diff = compare_labels(e, &labels(&["New", "InProgress", "cancelled"]));
    assert_eq!(diff.unknown_variants.len(), 3);
    let (i, m) = &diff.unknown_variants[0];
    assert_eq!(*i, 0);
    assert!(
        m.contains("label 'New'") && m.contains("rename = \"new\""),
        "{m}"
    );
    let (_, m) = &diff.unknown_variants[1];
    assert!(m.contains("rename = \"in-progress\""), "{m}");
    let (_, m) = &diff.unknown_variants[2];
    assert!(
        m.contains("its labels are 'new', 'in-progress', 'done', 'archived'"),
        "{m}"
    );
    assert_eq!(
        diff.missing_labels,
        labels(&["new", "in-progress", "done", "archived"])
    );
    let m = diff.missing_message("Status", e).unwrap();
    assert!(
        m.starts_with("enum type `public.status` has the labels 'new', 'in-progress', 'done', 'archived', which no variant of `Status` reads"),
        "{m}"
    );
    let one = compare_labels(e, &labels(&["new", "in-progress", "done"]));
    assert!(one.unknown_variants.is_empty());
    let m = one.missing_message("Status", e).unwrap();
    assert!(
        m.contains("the label 'archived', which") && m.contains("for it"),
        "{m}"
    );
}

#[test]
fn attributes_are_compared_both_ways_with_their_types() {
    let c = catalog("CREATE TYPE header_pair AS (name text, value bytea, seen timestamptz);");
    let Ok(Lookup::Found(t)) = find_composite(&c, "header_pair") else {
        panic!()
    };
    let diff = compare_attributes(t, &labels(&["value", "name", "seen"]));
    assert!(diff.unknown_fields.is_empty() && diff.missing_attributes.is_empty());
    assert_eq!(
        diff.types
            .iter()
            .map(|t| t.as_ref().unwrap().to_string())
            .collect::<Vec<_>>(),
        ["bytea", "text", "timestamp with time zone"]
    );
    let diff = compare_attributes(t, &labels(&["name", "val"]));
    assert_eq!(diff.unknown_fields.len(), 1);
    assert_eq!(diff.unknown_fields[0].0, 1);
    assert!(
        diff.unknown_fields[0]
            .1
            .contains("has no attribute `val` (its attributes are `name`, `value`, `seen`)"),
        "{}",
        diff.unknown_fields[0].1
    );
    assert_eq!(diff.types[1], None);
    assert_eq!(diff.missing_attributes, labels(&["value", "seen"]));
    let m = diff.missing_message("HeaderPair", t).unwrap();
    assert!(
        m.contains("the attributes `value`, `seen`, which no field of `HeaderPair` holds"),
        "{m}"
    );
}

#[test]
fn rename_all_rules_spell_rust_names_as_serde_does() {
    let cases = [
        ("InProgress", RenameAll::Lower, "inprogress"),
        ("InProgress", RenameAll::Upper, "INPROGRESS"),
        ("InProgress", RenameAll::Snake, "in_progress"),
        ("InProgress", RenameAll::ScreamingSnake, "IN_PROGRESS"),
        ("InProgress", RenameAll::Kebab, "in-progress"),
        ("InProgress", RenameAll::Camel, "inProgress"),
        ("InProgress", RenameAll::Pascal, "InProgress"),
        ("HTTPServer", RenameAll::Snake, "http_server"),
        ("Version2Beta", RenameAll::Kebab, "version2-beta"),
        ("Ok", RenameAll::Snake, "ok"),
        ("snake_field", RenameAll::Camel, "snakeField"),
        ("snake_field", RenameAll::Pascal, "SnakeField"),
    ];
    for (name, rule, want) in cases {
        assert_eq!(rule.apply(name), want, "{name} {rule:?}");
    }
    for (n, r) in RenameAll::NAMES {
        assert_eq!(RenameAll::parse(n), Some(*r));
    }
    assert_eq!(RenameAll::parse("snake"), None);
}

DROP INDEX badges_crate_type;

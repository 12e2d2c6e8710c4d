alter table crates
    drop column downloads;

alter table versions
    alter column crate_size drop not null;

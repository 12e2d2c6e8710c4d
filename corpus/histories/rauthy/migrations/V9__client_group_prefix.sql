ALTER TABLE clients
    ADD restrict_group_prefix VARCHAR;

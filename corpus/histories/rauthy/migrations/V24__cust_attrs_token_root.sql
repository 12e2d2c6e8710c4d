ALTER TABLE scopes
    ADD claims_at_root bool DEFAULT false NOT NULL;

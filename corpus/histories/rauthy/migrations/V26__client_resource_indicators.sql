ALTER TABLE clients
    ADD allowed_resources VARCHAR;
ALTER TABLE clients
    ADD default_aud VARCHAR;

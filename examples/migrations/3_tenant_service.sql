-- The tenant service: API keys (stored as SHA-256 digests) name a tenant;
-- every widget belongs to one.
CREATE TABLE IF NOT EXISTS api_keys (key_sha256 bytea PRIMARY KEY, tenant_id bigint NOT NULL);
CREATE TABLE IF NOT EXISTS widgets (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    name text NOT NULL,
    stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
    UNIQUE (tenant_id, name)
);

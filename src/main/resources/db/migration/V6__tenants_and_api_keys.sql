-- Identity and tenants (docs/security.md). Every batch belongs to a tenant; batches stored before
-- tenants existed go to the tenant 'default', submitted by 'anonymous' (there was no identity).

ALTER TABLE batch ADD COLUMN tenant VARCHAR(64) DEFAULT 'default' NOT NULL;
ALTER TABLE batch ADD COLUMN submitted_by VARCHAR(200) DEFAULT 'anonymous' NOT NULL;
-- Who cancelled, for USER_REQUESTED causes.
ALTER TABLE batch ADD COLUMN cause_requested_by VARCHAR(200);

-- Idempotency keys are the tenant's own: two tenants may use the same key.
ALTER TABLE batch DROP CONSTRAINT batch_idempotency_key;
ALTER TABLE batch ADD CONSTRAINT batch_idempotency_key UNIQUE (tenant, idempotency_key);

-- A tenant's list, newest first (batch ids are time-ordered).
CREATE INDEX batch_tenant_id ON batch (tenant, id);

-- API keys: only a SHA-256 hash of each key is kept (keys are 256-bit random values, so a fast
-- hash is enough: there is nothing to guess). key_prefix, the key's first characters, lets a
-- person tell keys apart in a list without the key.
CREATE TABLE api_key (
    id           UUID                     NOT NULL PRIMARY KEY,
    name         VARCHAR(100)             NOT NULL,
    tenant       VARCHAR(64)              NOT NULL,
    scopes       VARCHAR(500)             NOT NULL,
    key_hash     VARCHAR(64)              NOT NULL,
    key_prefix   VARCHAR(16)              NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by   VARCHAR(200)             NOT NULL,
    last_used_at TIMESTAMP WITH TIME ZONE,
    expires_at   TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE,
    revoked_by   VARCHAR(200),
    CONSTRAINT api_key_hash UNIQUE (key_hash)
);

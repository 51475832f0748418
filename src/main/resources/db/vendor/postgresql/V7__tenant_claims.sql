-- Claims go to the tenant with the fewest running jobs over the cluster, and a capped tenant's
-- running jobs are counted again under its lock (failfast.tenants.*.max-running-jobs): both read
-- the active batches only, by tenant. PostgreSQL only, partial: terminal batches, most of the
-- table, are not indexed.
CREATE INDEX batch_active_tenant ON batch (tenant) WHERE state IN ('QUEUED', 'RUNNING', 'CANCELLING');

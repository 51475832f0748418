-- Several Failfast replicas on one PostgreSQL database (failfast.cluster.enabled, docs/cluster.md).
-- The columns exist on H2 too, unused there: embedded H2 runs a single instance.

-- Replicas alive: each renews its row; survivors settle the jobs of a row that expired.
CREATE TABLE cluster_node (
    id         VARCHAR(64)              NOT NULL PRIMARY KEY,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Bumped by every change of the batch; a job changed by it takes the same value, so event
-- streams on any replica read "what changed since version v".
ALTER TABLE batch ADD COLUMN version BIGINT DEFAULT 0 NOT NULL;
-- Jobs are claimed in seq order: every job below the cursor has been claimed once.
ALTER TABLE batch ADD COLUMN claim_cursor INTEGER DEFAULT 0 NOT NULL;
-- Replicas claim from the batch claimed least recently: fairness across batches.
ALTER TABLE batch ADD COLUMN last_claimed_at TIMESTAMP WITH TIME ZONE;

ALTER TABLE job ADD COLUMN owner_node VARCHAR(64);
ALTER TABLE job ADD COLUMN version BIGINT DEFAULT 0 NOT NULL;

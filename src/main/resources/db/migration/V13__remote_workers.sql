-- Remote workers in cluster mode (issue 21, docs/cluster.md#remote-workers-in-cluster-mode): the registry that
-- pairs remote attempts with workers, shared by the replicas. A single instance keeps it in memory; the tables
-- exist on H2 too, unused there (embedded H2 runs a single instance). JSON is text, as in the other tables.

-- A registered worker. Live while lease_expires_at has not passed: each heartbeat and claim renews it; a sweep on
-- every replica deletes lapsed rows and loses what they held.
CREATE TABLE remote_worker (
    id               UUID                     NOT NULL PRIMARY KEY,
    tenant           VARCHAR(64)              NOT NULL,
    principal        VARCHAR(200)             NOT NULL,
    name             VARCHAR(100),
    -- The job type names it serves (without remote:), comma-separated; names have no comma.
    names            VARCHAR                  NOT NULL,
    capacity         INTEGER                  NOT NULL,
    registered_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    -- Set by a drain: the worker claims nothing more.
    draining         BOOLEAN                  DEFAULT FALSE NOT NULL
);

CREATE INDEX remote_worker_tenant ON remote_worker (tenant);
CREATE INDEX remote_worker_lease ON remote_worker (lease_expires_at);

-- One remote attempt, from its offer until the engine's thread that waits for it is done with it (then the row is
-- deleted). WAITING (no worker yet) → HELD (claimed) → REPORTED (the worker's report is in report) or LOST (its
-- worker was lost; report has the message); WAITING → WITHDRAWN (cancelled before a worker claimed it). owner_node is the replica whose engine thread waits: a row whose
-- owner holds no live cluster_node lease is claimed by no one, and its worker is told to stop it.
CREATE TABLE remote_attempt (
    attempt_id    UUID                     NOT NULL PRIMARY KEY,
    -- Claims take the oldest offer first.
    seq           BIGINT GENERATED ALWAYS AS IDENTITY NOT NULL,
    batch_id      UUID                     NOT NULL,
    tenant        VARCHAR(64)              NOT NULL,
    job_id        VARCHAR(128)             NOT NULL,
    name          VARCHAR(64)              NOT NULL,
    params        VARCHAR                  NOT NULL,
    attempt       INTEGER                  NOT NULL,
    offered_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    owner_node    VARCHAR(64)              NOT NULL,
    state         VARCHAR(16)              NOT NULL,
    worker_id     UUID,
    claimed_at    TIMESTAMP WITH TIME ZONE,
    -- What the worker last sent with a heartbeat, JSON.
    progress      VARCHAR,
    cancel_reason VARCHAR(32),
    cancelled_at  TIMESTAMP WITH TIME ZONE,
    -- The outcome as JSON, once REPORTED or LOST.
    report        VARCHAR,
    -- Times its workers gave it back (a fail of type CANCELLED it was not asked for).
    given_back    INTEGER                  DEFAULT 0 NOT NULL
);

-- A claim: the oldest waiting offers of a tenant and names.
CREATE INDEX remote_attempt_waiting ON remote_attempt (tenant, state, name, seq);
CREATE INDEX remote_attempt_worker ON remote_attempt (worker_id);
CREATE INDEX remote_attempt_owner ON remote_attempt (owner_node);

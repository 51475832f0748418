-- Batches and their jobs. Portable SQL: the same script runs on H2 (embedded default) and PostgreSQL.
-- Durations are ISO-8601 strings (exact, readable); JSON is kept as text.

CREATE TABLE batch (
    id                  UUID                     NOT NULL PRIMARY KEY,
    name                VARCHAR(200)             NOT NULL,
    labels              VARCHAR                  NOT NULL,
    failure_policy      VARCHAR(16)              NOT NULL,
    max_failures        INTEGER                  NOT NULL,
    max_parallelism     INTEGER                  NOT NULL,
    deadline            VARCHAR(64),
    state               VARCHAR(16)              NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at          TIMESTAMP WITH TIME ZONE,
    finished_at         TIMESTAMP WITH TIME ZONE,
    -- Counters per job state, so a status read costs the same for 5 jobs as for 100 000.
    jobs_total          INTEGER                  NOT NULL,
    jobs_pending        INTEGER                  NOT NULL,
    jobs_running        INTEGER                  NOT NULL,
    jobs_succeeded      INTEGER                  NOT NULL,
    jobs_failed         INTEGER                  NOT NULL,
    jobs_cancelled      INTEGER                  NOT NULL,
    jobs_skipped        INTEGER                  NOT NULL,
    cause               VARCHAR(32),
    cause_job_id        VARCHAR(128),
    cause_error_type    VARCHAR(128),
    cause_message       VARCHAR,
    cause_reason        VARCHAR,
    cause_requested_at  TIMESTAMP WITH TIME ZONE,
    cause_completed_at  TIMESTAMP WITH TIME ZONE,
    -- Expires with the batch: deleting the row frees the key.
    idempotency_key     VARCHAR(255),
    request_fingerprint VARCHAR(64),
    CONSTRAINT batch_idempotency_key UNIQUE (idempotency_key)
);

CREATE INDEX batch_state ON batch (state);
CREATE INDEX batch_finished_at ON batch (finished_at);

CREATE TABLE batch_label (
    batch_id    UUID         NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
    label_key   VARCHAR(63)  NOT NULL,
    label_value VARCHAR(256) NOT NULL,
    PRIMARY KEY (batch_id, label_key)
);

CREATE INDEX batch_label_key_value ON batch_label (label_key, label_value);

CREATE TABLE job (
    batch_id            UUID                     NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
    id                  VARCHAR(128)             NOT NULL,
    seq                 INTEGER                  NOT NULL,
    type                VARCHAR(64)              NOT NULL,
    params              VARCHAR                  NOT NULL,
    timeout             VARCHAR(64),
    retry_max_attempts  INTEGER                  NOT NULL,
    retry_backoff       VARCHAR(64)              NOT NULL,
    retry_multiplier    DOUBLE PRECISION         NOT NULL,
    retry_max_backoff   VARCHAR(64)              NOT NULL,
    state               VARCHAR(16)              NOT NULL,
    attempts            INTEGER                  NOT NULL,
    started_at          TIMESTAMP WITH TIME ZONE,
    finished_at         TIMESTAMP WITH TIME ZONE,
    error_type          VARCHAR(128),
    error_message       VARCHAR,
    error_exception     VARCHAR(512),
    result              VARCHAR,
    abandoned           BOOLEAN                  NOT NULL,
    PRIMARY KEY (batch_id, id)
);

CREATE UNIQUE INDEX job_batch_seq ON job (batch_id, seq);

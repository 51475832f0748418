-- Outcome notifications (issue 19, docs/notifications.md): webhooks told of a batch's events,
-- recorded in the same transaction as the change that causes them (an outbox), delivered at least once.

-- A batch's own notification targets, as a JSON array of {url, events, secret, headers}; NULL for none.
-- The secret is kept to sign, and never shown.
ALTER TABLE batch ADD COLUMN notifications VARCHAR;

-- A tenant's standing subscriptions: every batch of the tenant notifies them. During a rotation the
-- previous secret signs too, until previous_secret_expires_at.
CREATE TABLE subscription (
    id                         UUID                     NOT NULL PRIMARY KEY,
    tenant                     VARCHAR(64)              NOT NULL,
    url                        VARCHAR(2048)            NOT NULL,
    -- Event names, comma-separated, such as batch.failed,batch.first_failure.
    events                     VARCHAR(200)             NOT NULL,
    -- Extra headers as JSON (strings, or references to the operator's secrets); NULL for none.
    headers                    VARCHAR,
    secret                     VARCHAR(200)             NOT NULL,
    previous_secret            VARCHAR(200),
    previous_secret_expires_at TIMESTAMP WITH TIME ZONE,
    created_at                 TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by                 VARCHAR(200)             NOT NULL
);

CREATE INDEX subscription_tenant ON subscription (tenant);

-- The outbox: one row per event, run and target. It has no foreign key to its batch on purpose: a
-- batch deleted right after it ended still has its notifications delivered. Retention removes
-- delivered and failed rows.
CREATE TABLE notification (
    id              UUID                     NOT NULL PRIMARY KEY,
    batch_id        UUID                     NOT NULL,
    tenant          VARCHAR(64)              NOT NULL,
    run             INTEGER                  NOT NULL,
    event           VARCHAR(32)              NOT NULL,
    -- batch:<index in the batch's notifications> or subscription:<id>.
    target          VARCHAR(64)              NOT NULL,
    subscription_id UUID,
    url             VARCHAR(2048)            NOT NULL,
    headers         VARCHAR,
    -- A batch target's own secret; NULL signs with the subscription's, the tenant's or the service's.
    secret          VARCHAR(200),
    -- The body sent, as it stood when the event was recorded.
    payload         VARCHAR                  NOT NULL,
    -- PENDING, DELIVERED or FAILED (retries exhausted).
    status          VARCHAR(16)              NOT NULL,
    attempts        INTEGER                  NOT NULL,
    last_status     INTEGER,
    last_error      VARCHAR(1000),
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    last_attempt_at TIMESTAMP WITH TIME ZONE,
    delivered_at    TIMESTAMP WITH TIME ZONE,
    -- Retries stop after this; a re-send moves it.
    give_up_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    -- The replica delivering it now, and until when its claim holds (then another may).
    claimed_by      VARCHAR(200),
    claimed_until   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT notification_once UNIQUE (batch_id, run, event, target)
);

CREATE INDEX notification_due ON notification (status, next_attempt_at);
CREATE INDEX notification_batch ON notification (batch_id);

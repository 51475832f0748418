-- One Failfast instance per database: the running instance holds this single row (id 1) and
-- renews it; a second instance that finds it held, and renewed, refuses to start.

CREATE TABLE instance_lease (
    id          INTEGER                  NOT NULL PRIMARY KEY,
    owner       VARCHAR(64)              NOT NULL,
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

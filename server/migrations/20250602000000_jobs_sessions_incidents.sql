-- Portable SQL (SQLite and Postgres): TEXT/BIGINT only, ids are UUIDs made by the server,
-- flags are 0/1, and every time in this file is Unix MILLISECONDS (UTC), except jobs.created_at
-- (MICROSECONDS: it orders the jobs of a lane).

-- Every authenticated webhook delivery, stored before it is acknowledged.
CREATE TABLE webhook_events (
    id            TEXT PRIMARY KEY NOT NULL,
    event         TEXT NOT NULL,
    request_id    TEXT,
    session_id    TEXT,
    action_log_id TEXT,
    body          TEXT NOT NULL,
    jobs_created  BIGINT NOT NULL,
    received_at   BIGINT NOT NULL
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);

-- The durable work queue. dedupe_key makes duplicate deliveries collapse into one job.
-- lane: jobs of one session in the same lane run one at a time, oldest first (NULL: no order).
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    session_id      TEXT,
    lane            TEXT,
    dedupe_key      TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    run_after       BIGINT NOT NULL,
    deadline        BIGINT NOT NULL,
    lease_until     BIGINT,
    command_sent_at BIGINT,
    retry_logged    BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX jobs_runnable ON jobs (status, run_after);
CREATE INDEX jobs_lane ON jobs (session_id, lane, status);

-- What we know of each Chaster extension session (refreshed from Chaster, never from a body alone).
-- status: locked | unlocked | deserted | ended (our extension was removed from the lock).
CREATE TABLE sessions (
    session_id             TEXT PRIMARY KEY NOT NULL,
    lock_id                TEXT NOT NULL,
    wearer_user_id         TEXT NOT NULL,
    keyholder_user_id      TEXT,
    status                 TEXT NOT NULL,
    config                 TEXT NOT NULL,
    hygiene_opening_active BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX sessions_wearer ON sessions (wearer_user_id);
CREATE INDEX sessions_status ON sessions (status);

-- A box found unlocked while its session was locked. At most one open incident per session.
CREATE TABLE incidents (
    id              TEXT PRIMARY KEY NOT NULL,
    session_id      TEXT NOT NULL,
    detected_at     BIGINT NOT NULL,
    resolved_at     BIGINT,
    penalty_applied BIGINT NOT NULL,
    penalty         TEXT
);
CREATE UNIQUE INDEX incidents_one_open ON incidents (session_id) WHERE resolved_at IS NULL;

-- The box's activity as the keyholder page shows it.
CREATE TABLE box_events (
    id             TEXT PRIMARY KEY NOT NULL,
    wearer_user_id TEXT NOT NULL,
    session_id     TEXT,
    at             BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    message        TEXT NOT NULL
);
CREATE INDEX box_events_wearer ON box_events (wearer_user_id, at);

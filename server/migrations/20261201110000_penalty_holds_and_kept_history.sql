-- Penalties the server holds on a lock until something ends them (issue 11): "block unlocking"
-- (our session metadata's reasonsPreventingUnlocking) and "freeze" (a Chaster freeze). Each hold
-- is lifted by the first of: its incident resolved, the keyholder clearing it, its bound, the
-- session's end. Times are Unix MILLISECONDS (UTC).
CREATE TABLE penalty_holds (
    id          TEXT PRIMARY KEY NOT NULL,
    session_id  TEXT NOT NULL,
    incident_id TEXT,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    bound_at    BIGINT NOT NULL,
    lifted_at   BIGINT,
    lifted_why  TEXT
);
CREATE INDEX penalty_holds_session ON penalty_holds (session_id, lifted_at);

-- History lines Chaster refused (e.g. because the lock had ended): kept here and shown on our
-- history page instead of being dropped.
CREATE TABLE kept_history (
    id          TEXT PRIMARY KEY NOT NULL,
    session_id  TEXT NOT NULL,
    at          BIGINT NOT NULL,
    role        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    icon        TEXT,
    refusal     TEXT NOT NULL
);
CREATE INDEX kept_history_session ON kept_history (session_id, at);

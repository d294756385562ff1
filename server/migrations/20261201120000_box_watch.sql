-- Incidents beyond "found open": opened_in_history (an unlock in the Sesame's own history that
-- was not ours), jammed, unreachable. These are over when seen: inserted with resolved_at set,
-- and source_ref (e.g. the history record) makes each one count once.
ALTER TABLE incidents ADD COLUMN kind TEXT NOT NULL DEFAULT 'found_open';
ALTER TABLE incidents ADD COLUMN source_ref TEXT;
ALTER TABLE incidents ADD COLUMN detail TEXT;
CREATE UNIQUE INDEX incidents_source_ref ON incidents (session_id, source_ref);

-- What the tamper watch saw at its last scheduled check of a session's box (times in ms).
-- status_at: the box's own status timestamp; the history is read only when it changed.
CREATE TABLE box_watch (
    session_id    TEXT PRIMARY KEY NOT NULL,
    status_at     BIGINT,
    checked_at    BIGINT NOT NULL,
    offline_since BIGINT,
    jammed_since  BIGINT
);
-- When the keyholder last opened the box from a page: a "locked" reading from before that (the
-- cloud lags the motor) does not end the allowance.
ALTER TABLE box_watch ADD COLUMN open_allowed_at BIGINT;

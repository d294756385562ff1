-- Portable SQL (SQLite and Postgres): TEXT/BIGINT only; times are Unix MILLISECONDS (UTC).

-- Which session holds each wearer's box (a box is keyed by its wearer), since when, and how that
-- ended. At most one open period per box: the unique index is the database's own guarantee.
-- ended_how: release | desertion_wait_over | session_ended.
-- opens_at: the lock was deserted; Chaster gives the combination back then, and so do we.
CREATE TABLE custody (
    id             TEXT PRIMARY KEY NOT NULL,
    wearer_user_id TEXT NOT NULL,
    session_id     TEXT NOT NULL,
    since          BIGINT NOT NULL,
    opens_at       BIGINT,
    ended_at       BIGINT,
    ended_how      TEXT
);
CREATE UNIQUE INDEX custody_one_holder ON custody (wearer_user_id) WHERE ended_at IS NULL;
CREATE INDEX custody_session ON custody (session_id, since);

-- One row per box: every decision and movement of the box takes this lease first (a
-- conditional UPDATE, atomic on both engines), so two instances never decide differently.
CREATE TABLE custody_boxes (
    wearer_user_id TEXT PRIMARY KEY NOT NULL,
    lease_token    TEXT,
    lease_until    BIGINT
);

-- Boxes guarding a running lock before custody existed: the oldest known locked session of
-- each wearer with a box holds it.
INSERT INTO custody (id, wearer_user_id, session_id, since)
SELECT 'migrated-' || s.session_id, s.wearer_user_id, s.session_id, s.updated_at
FROM sessions s JOIN devices d ON d.user_id = s.wearer_user_id
WHERE s.status = 'locked' AND s.session_id = (
    SELECT MIN(s2.session_id) FROM sessions s2
    WHERE s2.wearer_user_id = s.wearer_user_id AND s2.status = 'locked'
);

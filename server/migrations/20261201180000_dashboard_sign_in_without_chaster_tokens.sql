-- The dashboard keeps no Chaster token any more: it reads the profile once at sign-in (PKCE,
-- scope `profile`) and keeps only its own sign-in. Stored sign-ins held encrypted tokens: they
-- are dropped with the columns, so those keyholders sign in once more.
DROP INDEX IF EXISTS dashboard_sessions_expiry;
DROP TABLE IF EXISTS dashboard_sessions;
CREATE TABLE dashboard_sessions (
    id_hash     TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL,
    username    TEXT NOT NULL,
    avatar_url  TEXT,
    csrf_token  TEXT NOT NULL,
    handle_key  TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- A pending sign-in now also keeps its PKCE verifier (AES-256-GCM, bound to state_hash).
DROP INDEX IF EXISTS oauth_login_states_expiry;
DROP TABLE IF EXISTS oauth_login_states;
CREATE TABLE oauth_login_states (
    state_hash   TEXT PRIMARY KEY NOT NULL,
    verifier_enc TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX oauth_login_states_expiry ON oauth_login_states (expires_at);

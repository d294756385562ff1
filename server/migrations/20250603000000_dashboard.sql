-- Portable SQL (SQLite and Postgres): TEXT/BIGINT only; times are Unix MILLISECONDS (UTC).

-- Sign-ins to the keyholder dashboard that went to Chaster's SSO and have not come back yet.
-- The OAuth `state` is kept only as its SHA-256 (hex); a row is used once.
CREATE TABLE oauth_login_states (
    state_hash TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_login_states_expiry ON oauth_login_states (expires_at);

-- Signed-in keyholders. id_hash is the SHA-256 (hex) of the session cookie, never the cookie.
-- The OAuth tokens are AES-256-GCM ciphertexts (base64 of nonce || ciphertext) bound to id_hash.
-- csrf_token goes to the page; handle_key (hex) mints the page's opaque session handles.
CREATE TABLE dashboard_sessions (
    id_hash            TEXT PRIMARY KEY NOT NULL,
    user_id            TEXT NOT NULL,
    username           TEXT NOT NULL,
    avatar_url         TEXT,
    access_token_enc   TEXT NOT NULL,
    refresh_token_enc  TEXT NOT NULL,
    access_expires_at  BIGINT NOT NULL,
    refresh_expires_at BIGINT NOT NULL,
    csrf_token         TEXT NOT NULL,
    handle_key         TEXT NOT NULL,
    expires_at         BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);

-- Portable SQL: runs unchanged on SQLite and Postgres (TEXT/BIGINT only, no engine-specific syntax).

-- One box per wearer (their Chaster user id), reused across sessions.
-- Credentials are AES-256-GCM ciphertexts (base64 of nonce || ciphertext), bound to user_id.
CREATE TABLE devices (
    user_id     TEXT PRIMARY KEY NOT NULL,
    api         TEXT NOT NULL,
    nickname    TEXT NOT NULL,
    model       TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    api_key_enc TEXT NOT NULL,
    secret_enc  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Requests made to CANDY HOUSE per API key (sha256 hex of the key) and calendar month (YYYY-MM, UTC).
CREATE TABLE api_usage (
    key_hash TEXT NOT NULL,
    month    TEXT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (key_hash, month)
);

-- Sessions are kept by the SHA-256 of their cookie token, never the token
-- itself, and end after a spell without requests as well as at their expiry.
-- Sessions stored by their raw token cannot be carried over (that would keep
-- the raw token); everyone signs in again.
DROP TABLE sessions;
CREATE TABLE sessions (
    -- Hex SHA-256 of the cookie's token.
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    -- The last request, written at most once a minute.
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

-- People who sign in, each in one organization with one role.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT NOT NULL,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    role            TEXT NOT NULL CHECK (role IN ('approver', 'operator', 'viewer')),
    -- PHC string (argon2id with its parameters and salt).
    password_hash   TEXT NOT NULL
);

-- Signed-in browsers: the cookie holds `token`; state-changing requests
-- repeat `csrf_token` in `X-CSRF-TOKEN`. Times are Unix seconds.
CREATE TABLE sessions (
    token      TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

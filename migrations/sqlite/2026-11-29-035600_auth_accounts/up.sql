-- Accounts, sessions, squad login links and API tokens (issue 7). SQLite.
-- Secrets (session cookies, link and API tokens) are stored only as SHA-256 hex digests:
-- a copy of the database signs nobody in.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('coordinator', 'squad_member')),
    squad_id TEXT REFERENCES squads (id) ON DELETE RESTRICT,
    active INTEGER NOT NULL DEFAULT 1,
    -- Login throttling, shared by every instance.
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((role = 'squad_member') = (squad_id IS NOT NULL))
);

-- A squad's sign-in link / QR code: opens a squad member's session without a password.
CREATE TABLE login_links (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    squad_id TEXT NOT NULL REFERENCES squads (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE INDEX login_links_squad ON login_links (squad_id, created_at);

-- Server-side sessions: several instances share them through the database.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    -- A password sign-in names its user; a login link names the link (and so its squad).
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    login_link_id TEXT REFERENCES login_links (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (login_link_id IS NULL))
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_link ON sessions (login_link_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Bearer tokens for scripts, acting as their user.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

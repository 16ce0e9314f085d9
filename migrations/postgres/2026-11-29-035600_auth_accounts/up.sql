-- Accounts, sessions, squad login links and API tokens (issue 7). PostgreSQL.
-- Secrets (session cookies, link and API tokens) are stored only as SHA-256 hex digests:
-- a copy of the database signs nobody in.

CREATE TABLE users (
    id uuid PRIMARY KEY,
    username text NOT NULL UNIQUE,
    display_name text NOT NULL,
    -- argon2id PHC string.
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('coordinator', 'squad_member')),
    squad_id uuid REFERENCES squads (id) ON DELETE RESTRICT,
    active boolean NOT NULL DEFAULT true,
    -- Login throttling, shared by every instance.
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL DEFAULT 1,
    CHECK ((role = 'squad_member') = (squad_id IS NOT NULL))
);

-- A squad's sign-in link / QR code: opens a squad member's session without a password.
CREATE TABLE login_links (
    id uuid PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    squad_id uuid NOT NULL REFERENCES squads (id) ON DELETE CASCADE,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE INDEX login_links_squad ON login_links (squad_id, created_at);

-- Server-side sessions: several instances share them through the database.
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    -- A password sign-in names its user; a login link names the link (and so its squad).
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    login_link_id uuid REFERENCES login_links (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK ((user_id IS NULL) <> (login_link_id IS NULL))
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_link ON sessions (login_link_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Bearer tokens for scripts, acting as their user.
CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

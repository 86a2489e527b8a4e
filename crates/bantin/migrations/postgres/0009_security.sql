-- Login throttling counts attempts per account *and address* ('pair'),
-- so that a stranger cannot lock an official out of their own account,
-- and two-factor codes have a throttle of their own ('totp').
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_scope_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_scope_check
    CHECK (scope IN ('user', 'addr', 'pair', 'totp'));

-- A session says which device it is (shown on the staff member's own page).
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';

-- Two-factor login (TOTP, RFC 6238): the secret once confirmed, the one
-- being enrolled, and the last time step accepted (a code works once).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- One-time recovery codes, stored as hashes.
CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- A password checked, the second factor still to come: a short-lived
-- challenge instead of a session.
CREATE TABLE login_challenges (
    id_hash    TEXT PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites(id),
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next_path  TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ NOT NULL
);

-- Who must use two-factor login on a site: 'none', 'admin' (admins),
-- 'editor' (admins and editors), 'all'. The province office's accounts
-- always must.
ALTER TABLE sites ADD COLUMN require_2fa TEXT NOT NULL DEFAULT 'none'
    CHECK (require_2fa IN ('none', 'admin', 'editor', 'all'));

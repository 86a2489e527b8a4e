-- Login throttling counts attempts per account *and address* ('pair'),
-- so that a stranger cannot lock an official out of their own account,
-- and two-factor codes have a throttle of their own ('totp').
CREATE TABLE login_attempts_new (
    site_id      INTEGER NOT NULL REFERENCES sites(id),
    scope        TEXT NOT NULL CHECK (scope IN ('user', 'addr', 'pair', 'totp')),
    key          TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT,
    PRIMARY KEY (site_id, scope, key)
);
INSERT INTO login_attempts_new SELECT site_id, scope, key, failures, window_start, locked_until FROM login_attempts;
DROP TABLE login_attempts;
ALTER TABLE login_attempts_new RENAME TO login_attempts;

-- A session says which device it is (shown on the staff member's own page).
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';

-- Two-factor login (TOTP, RFC 6238): the secret once confirmed, the one
-- being enrolled, and the last time step accepted (a code works once).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- One-time recovery codes, stored as hashes.
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- A password checked, the second factor still to come: a short-lived
-- challenge instead of a session.
CREATE TABLE login_challenges (
    id_hash    TEXT PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next_path  TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL
);

-- Who must use two-factor login on a site: 'none', 'admin' (admins),
-- 'editor' (admins and editors), 'all'. The province office's accounts
-- always must.
ALTER TABLE sites ADD COLUMN require_2fa TEXT NOT NULL DEFAULT 'none'
    CHECK (require_2fa IN ('none', 'admin', 'editor', 'all'));

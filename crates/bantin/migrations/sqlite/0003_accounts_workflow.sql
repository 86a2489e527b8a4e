-- Staff sessions carry their CSRF token.
ALTER TABLE sessions ADD COLUMN csrf_token TEXT NOT NULL DEFAULT '';

-- Failed logins, per account and per (hashed) client address, so several
-- servers share one throttle.
CREATE TABLE login_attempts (
    site_id      INTEGER NOT NULL REFERENCES sites(id),
    scope        TEXT NOT NULL CHECK (scope IN ('user', 'addr')),
    key          TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    locked_until TEXT,
    PRIMARY KEY (site_id, scope, key)
);

-- Server-side secrets (random, created on first use), e.g. the key that
-- hashes client addresses so none is stored raw.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Contact details and settings editable by admins.
ALTER TABLE sites ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN stats_start_total INTEGER NOT NULL DEFAULT 0;

ALTER TABLE articles ADD COLUMN featured_image TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN review_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN updated_by INTEGER REFERENCES users(id);

CREATE TABLE article_revisions (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL,
    body           TEXT NOT NULL,
    byline         TEXT NOT NULL,
    category_id    INTEGER REFERENCES categories(id),
    featured_image TEXT NOT NULL,
    user_id        INTEGER REFERENCES users(id),
    created_at     TEXT NOT NULL,
    UNIQUE (article_id, version)
);

CREATE TABLE images (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites(id),
    name        TEXT NOT NULL UNIQUE,       -- generated; files are media/NAME[-WIDTH].EXT
    ext         TEXT NOT NULL CHECK (ext IN ('jpg', 'png', 'webp')),
    original    TEXT NOT NULL,              -- the uploaded file name, for people
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX images_site ON images (site_id, created_at DESC);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    user_id    INTEGER REFERENCES users(id),
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX audit_site ON audit_log (site_id, id DESC);

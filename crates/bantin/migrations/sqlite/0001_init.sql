-- Every row belongs to a site: one deployment may later host many communes.
-- Timestamps are UTC, RFC 3339 text with whole seconds (sortable as text).

CREATE TABLE sites (
    id          INTEGER PRIMARY KEY,
    host        TEXT UNIQUE,               -- NULL: the default site
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE categories (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (site_id, slug)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites(id),
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author')),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (site_id, username)
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,          -- hash of the cookie value, never the value
    site_id      INTEGER NOT NULL REFERENCES sites(id),
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites(id),
    category_id  INTEGER REFERENCES categories(id),
    author_id    INTEGER REFERENCES users(id),
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,             -- sanitised HTML
    byline       TEXT NOT NULL DEFAULT '',  -- the author's name as printed
    status       TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'unpublished')),
    published_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1, -- optimistic locking
    source_hash  TEXT,                       -- SHA-256 of an imported page: re-imports are no-ops
    UNIQUE (site_id, slug),
    UNIQUE (site_id, source_hash)
);
CREATE INDEX articles_public ON articles (site_id, status, published_at DESC, id DESC);
CREATE INDEX articles_category ON articles (category_id, published_at DESC);

-- The default site and its news category. The name is a setting
-- (`--site-name`, or the admin pages), not data.
INSERT INTO sites (host, name, description, created_at, updated_at)
VALUES (NULL, 'Cổng thông tin điện tử', '',
        strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
INSERT INTO categories (site_id, name, slug, position, created_at)
SELECT id, 'Tin tức', 'tin-tuc', 0, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
FROM sites WHERE host IS NULL;

-- What a commune portal publishes besides news.
--
-- Pages (Giới thiệu, Lịch sử, Liên hệ…) are articles of kind 'page': the
-- same editor, workflow, revisions, sanitising and search. Their slug is
-- their whole path ('gioi-thieu/lich-su'); parent_id makes a tree two
-- levels deep; `shows` adds structured data below the text ('leaders',
-- 'units').
ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'news' CHECK (kind IN ('news', 'page', 'document'));
ALTER TABLE articles ADD COLUMN parent_id INTEGER REFERENCES articles(id);
ALTER TABLE articles ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN shows TEXT NOT NULL DEFAULT '' CHECK (shows IN ('', 'leaders', 'units'));
CREATE INDEX articles_pages ON articles (site_id, kind, parent_id, position);

-- Lãnh đạo: the commune's leaders, and its organisation's bodies.
CREATE TABLE leaders (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites(id),
    name         TEXT NOT NULL,
    position     TEXT NOT NULL DEFAULT '',   -- the office: Bí thư Đảng ủy…
    duties       TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    show_contact INTEGER NOT NULL DEFAULT 0, -- phone and email public only when chosen
    photo        TEXT NOT NULL DEFAULT '',   -- /media/… of the site's image
    photo_alt    TEXT NOT NULL DEFAULT '',
    sort         INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);
CREATE INDEX leaders_site ON leaders (site_id, sort);

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    name       TEXT NOT NULL,
    duties     TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    sort       INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_site ON units (site_id, sort);

-- The main menu: entries to pages, categories, the site's own sections,
-- or other addresses; one level of sub-entries.
CREATE TABLE menu_items (
    id        INTEGER PRIMARY KEY,
    site_id   INTEGER NOT NULL REFERENCES sites(id),
    parent_id INTEGER REFERENCES menu_items(id) ON DELETE CASCADE,
    label     TEXT NOT NULL,
    target    TEXT NOT NULL,                -- 'home', 'news', 'page:ID', 'category:ID', 'search', 'sitemap', 'contact', 'url'
    url       TEXT NOT NULL DEFAULT '',     -- for 'url'
    sort      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX menu_items_site ON menu_items (site_id, parent_id, sort);

-- "Thông tin này có hữu ích với bạn không?": one answer per visitor, item
-- and day (the visitor key of the statistics, never an address).
CREATE TABLE ratings (
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    visitor    TEXT NOT NULL,
    useful     INTEGER NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (article_id, day, visitor)
);
CREATE INDEX ratings_site ON ratings (site_id, created_at DESC);

-- Planned downtime, announced from seven days before (Decree 224, Art. 13).
CREATE TABLE maintenance_notices (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    message    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX maintenance_site ON maintenance_notices (site_id, ends_at);

-- The footer and the contact page: who answers requests for information
-- (Law 104/2016 Art. 19), who is responsible for the content, the licence,
-- a map image.
ALTER TABLE sites ADD COLUMN info_officer TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN content_responsible TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN licence TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN map_image TEXT NOT NULL DEFAULT '';

-- Whether a site has been given its starting pages and menu (once; what
-- its admin deletes later stays deleted).
ALTER TABLE sites ADD COLUMN furnished INTEGER NOT NULL DEFAULT 0;

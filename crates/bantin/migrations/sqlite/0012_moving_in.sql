-- Moving in: what an importer brought from a commune's old site, and the
-- old addresses that still lead to it.

-- Every item an import stored, by where it came from. A re-run finds its
-- items here and leaves them alone, so an import can be stopped and run
-- again: what was stored stays, the rest follows.
CREATE TABLE imported_items (
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    source     TEXT NOT NULL,     -- 'wordpress https://xa.example.vn', 'nukeviet db/nv4_vi_news'
    kind       TEXT NOT NULL,     -- 'post', 'page', 'category', 'author', 'image'
    source_id  TEXT NOT NULL,     -- the item's id (or file) in the old site
    target_id  INTEGER NOT NULL,  -- the article, category, user or image it became
    created_at TEXT NOT NULL,
    PRIMARY KEY (site_id, source, kind, source_id)
);

-- Old addresses answered with 301. An imported item's redirect follows
-- the article (its slug may change later); one made by hand names a path.
CREATE TABLE redirects (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    old_path   TEXT NOT NULL,     -- as `content::redirect::key` writes it
    article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
    target     TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',   -- 'wordpress', 'nukeviet', '' by hand
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (site_id, old_path)
);
CREATE INDEX redirects_article ON redirects (article_id);

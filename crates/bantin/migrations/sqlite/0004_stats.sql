-- Visitor statistics. No raw IP address is stored anywhere: a visitor is a
-- keyed hash of the day's random salt, the site, the address (IPv6: its /64)
-- and the user-agent. Salts and per-visitor rows live 48 hours; daily,
-- hourly and per-article totals stay.

CREATE TABLE stats_salts (
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    day        TEXT NOT NULL,              -- local date (Asia/Ho_Chi_Minh)
    salt       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (site_id, day)
);

CREATE TABLE stats_visitors (
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    day        TEXT NOT NULL,
    key        TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    views      INTEGER NOT NULL,
    PRIMARY KEY (site_id, day, key)
);
CREATE INDEX stats_visitors_recent ON stats_visitors (site_id, last_seen);

CREATE TABLE stats_daily (
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    day        TEXT NOT NULL,
    visitors   INTEGER NOT NULL DEFAULT 0,
    page_views INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, day)
);

-- Per hour: page views, and visitors whose first view of the day fell in it.
CREATE TABLE stats_hourly (
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    day        TEXT NOT NULL,
    hour       INTEGER NOT NULL,
    visitors   INTEGER NOT NULL DEFAULT 0,
    page_views INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, day, hour)
);

CREATE TABLE stats_article_daily (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    views      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX stats_article_daily_day ON stats_article_daily (day);

-- What an editor was typing, saved by the editor every 30 seconds: one
-- per article and person, replaced each time, gone when they save.
CREATE TABLE article_autosaves (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    based_on   INTEGER NOT NULL,                -- the article's version the typing began from
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL,
    body       TEXT NOT NULL,
    byline     TEXT NOT NULL,
    saved_at   TEXT NOT NULL,
    PRIMARY KEY (article_id, user_id)
);

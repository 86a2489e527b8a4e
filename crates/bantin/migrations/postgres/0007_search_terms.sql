-- Search on PostgreSQL reads two narrow tables beside `articles` (see
-- bench/RESULTS.md, "Search latency"). Rows of `articles` are ~2 kB (the
-- positional vector, the compressed body, the folded text); these hold only
-- what a step of the search tests, one row per published article:
--
-- * search_terms: the words of title and text without positions or
--   weights (`strip`). Counting matches of common words scans until 1,001
--   match; on these rows that takes about half as long. Phrase queries still
--   count on `articles.search_vector`, which keeps positions.
-- * search_titles: the words of the title. "The newest title matches" read
--   either the newest rows until enough match or every title match; on
--   `articles` that was up to 70 ms for words common in titles, on these
--   ~110-byte rows (11 MB for 100,000 articles) a few milliseconds at worst.
--   It replaces `articles.title_vector`.
--
-- A trigger keeps both in step in the same transaction as every save,
-- publication, unpublication and reindex; deleting an article deletes its
-- rows. Scheduled articles have rows and are filtered by date when searched.
CREATE TABLE search_terms (
    article_id   BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    site_id      BIGINT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    terms        tsvector NOT NULL
);
CREATE TABLE search_titles (
    article_id   BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    site_id      BIGINT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    terms        tsvector NOT NULL
);
-- In the row, not TOASTed: a TOASTed vector costs a second read per row.
ALTER TABLE search_terms ALTER COLUMN terms SET STORAGE MAIN;
ALTER TABLE search_titles ALTER COLUMN terms SET STORAGE MAIN;

CREATE FUNCTION search_tables_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' AND NEW.published_at IS NOT NULL THEN
        INSERT INTO search_terms (article_id, site_id, published_at, terms)
        VALUES (NEW.id, NEW.site_id, NEW.published_at, strip(NEW.search_vector))
        ON CONFLICT (article_id) DO UPDATE
            SET site_id = EXCLUDED.site_id,
                published_at = EXCLUDED.published_at,
                terms = EXCLUDED.terms;
        INSERT INTO search_titles (article_id, site_id, published_at, terms)
        VALUES (NEW.id, NEW.site_id, NEW.published_at,
                strip(to_tsvector('simple', NEW.search_title)))
        ON CONFLICT (article_id) DO UPDATE
            SET site_id = EXCLUDED.site_id,
                published_at = EXCLUDED.published_at,
                terms = EXCLUDED.terms;
    ELSE
        DELETE FROM search_terms WHERE article_id = NEW.id;
        DELETE FROM search_titles WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_search_tables
    AFTER INSERT OR UPDATE OF site_id, status, published_at, search_title, search_body
    ON articles FOR EACH ROW EXECUTE FUNCTION search_tables_sync();

INSERT INTO search_terms (article_id, site_id, published_at, terms)
SELECT id, site_id, published_at, strip(search_vector)
FROM articles
WHERE status = 'published' AND published_at IS NOT NULL
ORDER BY id;
INSERT INTO search_titles (article_id, site_id, published_at, terms)
SELECT id, site_id, published_at, strip(to_tsvector('simple', search_title))
FROM articles
WHERE status = 'published' AND published_at IS NOT NULL
ORDER BY id;

-- Rare words are found through these indexes rather than by scanning.
CREATE INDEX search_terms_words ON search_terms USING GIN (terms) WITH (fastupdate = off);
CREATE INDEX search_titles_words ON search_titles USING GIN (terms) WITH (fastupdate = off);

ALTER TABLE articles DROP COLUMN title_vector;

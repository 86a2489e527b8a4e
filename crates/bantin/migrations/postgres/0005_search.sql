-- Search: titles and text folded by vntext (no diacritics, đ → d, lower
-- case), indexed with the 'simple' configuration (no stemming, no stop
-- words: Vietnamese has neither), titles weighted above bodies.
ALTER TABLE articles ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN search_body TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', search_title), 'A') ||
    setweight(to_tsvector('simple', search_body), 'D')
) STORED;
CREATE INDEX articles_search ON articles USING GIN (search_vector);

-- Titles alone: small postings, so "the newest title matches" stays cheap
-- even for common words.
ALTER TABLE articles ADD COLUMN title_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', search_title)
) STORED;
CREATE INDEX articles_title_search ON articles USING GIN (title_vector);

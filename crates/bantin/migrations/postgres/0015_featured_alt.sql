-- The featured image's text alternative (Circular 32/2017 Art. 18), kept
-- with the article and each revision: the same image may stand for
-- different things in different articles.
ALTER TABLE articles ADD COLUMN featured_alt TEXT NOT NULL DEFAULT '';
ALTER TABLE article_revisions ADD COLUMN featured_alt TEXT NOT NULL DEFAULT '';

-- Search: titles and text folded by vntext (no diacritics, đ → d, lower
-- case), so FTS5 sees plain ASCII words. The application writes the folded
-- columns with every save; triggers keep the indexes in step.
ALTER TABLE articles ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN search_body TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE articles_fts USING fts5(
    search_title, search_body,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);

-- Titles alone: small doclists, so "the newest title matches" stays cheap
-- even for common words.
CREATE VIRTUAL TABLE titles_fts USING fts5(
    search_title,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, search_title, search_body)
    VALUES (new.id, new.search_title, new.search_body);
    INSERT INTO titles_fts (rowid, search_title) VALUES (new.id, new.search_title);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, search_title, search_body)
    VALUES ('delete', old.id, old.search_title, old.search_body);
    INSERT INTO titles_fts (titles_fts, rowid, search_title) VALUES ('delete', old.id, old.search_title);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF search_title, search_body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, search_title, search_body)
    VALUES ('delete', old.id, old.search_title, old.search_body);
    INSERT INTO articles_fts (rowid, search_title, search_body)
    VALUES (new.id, new.search_title, new.search_body);
    INSERT INTO titles_fts (titles_fts, rowid, search_title) VALUES ('delete', old.id, old.search_title);
    INSERT INTO titles_fts (rowid, search_title) VALUES (new.id, new.search_title);
END;

-- PostgreSQL searches two narrow tables of its own (see
-- migrations/postgres/0007_search_terms.sql). SQLite already counts without
-- reading article rows (0006) and finds title matches in their own FTS5
-- table (titles_fts), so nothing changes here.
SELECT 1;

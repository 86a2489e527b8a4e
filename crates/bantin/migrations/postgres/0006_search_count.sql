-- Search speed on PostgreSQL (see bench/RESULTS.md).
--
-- 1. Keep the search vectors inside the row. A vector of an ordinary
--    article is over a kilobyte, so by default it was moved out to the TOAST
--    table and every match checked cost three extra page reads: the capped
--    count of a common two-word query read 11,000 pages (30 ms) on 100,000
--    articles, and 900 (5 ms) with the vector in the row. Bodies, which only
--    the final page of results reads, are moved out instead.
ALTER TABLE articles ALTER COLUMN search_vector SET STORAGE MAIN;
ALTER TABLE articles ALTER COLUMN title_vector SET STORAGE MAIN;
-- Rewrite the existing rows so that they follow the new storage.
UPDATE articles SET search_title = search_title, search_body = search_body;

-- 2. No pending list: with fastupdate, new entries wait in an unsorted list
--    that every search scans until (auto)vacuum merges it: 13 ms instead of
--    1 ms for a title search after a large import. A portal publishes a few
--    articles a day, so slower inserts cost nothing.
ALTER INDEX articles_search SET (fastupdate = off);
ALTER INDEX articles_title_search SET (fastupdate = off);
SELECT gin_clean_pending_list('articles_search'::regclass);
SELECT gin_clean_pending_list('articles_title_search'::regclass);

-- The site's house style for tone marks in stored text:
-- 'author' keeps the author's choice (only misplaced marks are repaired),
-- 'old' writes hòa/thủy/khỏe, 'new' writes hoà/thuỷ/khoẻ.
ALTER TABLE sites ADD COLUMN tone_style TEXT NOT NULL DEFAULT 'author'
    CHECK (tone_style IN ('author', 'old', 'new'));

-- Hỏi đáp – Góp ý: readers' questions, the commune's answers, and the
-- mail that tells staff and askers about them.

-- How long an asker's phone, email and attachment are kept (Decree
-- 13/2023 on personal data): removed this many months after asking.
ALTER TABLE sites ADD COLUMN question_retention_months INTEGER NOT NULL DEFAULT 12;
-- Staff's own address, and whether they want mail about new questions.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN notify_questions INTEGER NOT NULL DEFAULT 0;

CREATE TABLE questions (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites(id),
    code          TEXT NOT NULL UNIQUE,          -- the asker's tracking code
    field_id      INTEGER REFERENCES doc_terms(id),
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL DEFAULT '',      -- never public; removed after retention
    email         TEXT NOT NULL DEFAULT '',      -- never public; removed after retention
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'assigned', 'answered', 'published', 'refused')),
    assigned_to   INTEGER REFERENCES users(id),
    answer        TEXT NOT NULL DEFAULT '',      -- sanitised HTML
    answered_by   INTEGER REFERENCES users(id),
    answered_at   TEXT,
    refusal       TEXT NOT NULL DEFAULT '',      -- why it was refused, told to the asker
    slug          TEXT,                          -- its public address, once published
    published_at  TEXT,
    search_text   TEXT NOT NULL DEFAULT '',      -- folded title, question and answer
    fingerprint   TEXT NOT NULL,                 -- of the folded title and question: duplicates
    visitor       TEXT NOT NULL,                 -- the statistics' visitor key of the day
    day           TEXT NOT NULL,
    contact_removed_at TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (site_id, slug)
);
CREATE INDEX questions_queue ON questions (site_id, status, created_at);
CREATE INDEX questions_public ON questions (site_id, published_at) WHERE status = 'published';
CREATE INDEX questions_visitor ON questions (site_id, day, visitor);
CREATE INDEX questions_fingerprint ON questions (site_id, fingerprint);

-- The one file an asker may attach (an image, re-encoded, or a PDF), seen
-- by staff only; removed with the contact details.
CREATE TABLE question_files (
    question_id INTEGER PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,
    site_id     INTEGER NOT NULL REFERENCES sites(id),
    ext         TEXT NOT NULL,                   -- from the content: jpg, png, webp, pdf
    original    TEXT NOT NULL,
    data        BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

-- Mail waiting to be sent, sent, or given up on; sending is retried with
-- a growing delay and never holds up a request.
CREATE TABLE mail_outbox (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES sites(id),
    question_id INTEGER REFERENCES questions(id) ON DELETE CASCADE,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     TEXT NOT NULL,
    sent_at     TEXT,
    error       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_at) WHERE sent_at IS NULL;

-- Văn bản: the legal-documents library (Law 104/2016 Art. 19(1)(a)).
--
-- A document is an article of kind 'document' (the same editor, workflow,
-- revisions, audit and search) with its register entry here. Its validity
-- is never stored: it follows from the dates and the links at read time.

-- Folded text the article is also found by (a document's number and its
-- files' text); search_body ends with it.
ALTER TABLE articles ADD COLUMN search_extra TEXT NOT NULL DEFAULT '';

-- The site's lists: types (Nghị quyết…), issuing bodies, fields.
CREATE TABLE doc_terms (
    id       INTEGER PRIMARY KEY,
    site_id  INTEGER NOT NULL REFERENCES sites(id),
    list     TEXT NOT NULL CHECK (list IN ('type', 'issuer', 'field')),
    name     TEXT NOT NULL,
    slug     TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    UNIQUE (site_id, list, slug)
);

CREATE TABLE documents (
    article_id    INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    site_id       INTEGER NOT NULL REFERENCES sites(id),
    number        TEXT NOT NULL,               -- số ký hiệu: 45/2024/QĐ-UBND
    number_key    TEXT NOT NULL,               -- folded, letters and digits only: 452024qdubnd
    type_id       INTEGER REFERENCES doc_terms(id),
    issuer_id     INTEGER REFERENCES doc_terms(id),
    field_id      INTEGER REFERENCES doc_terms(id),
    signer        TEXT NOT NULL DEFAULT '',
    issued_on     TEXT NOT NULL,               -- YYYY-MM-DD, Vietnam's calendar
    effective_on  TEXT,
    expires_on    TEXT,
    comment_until TEXT                         -- a draft for public comment, until this day
);
CREATE INDEX documents_issued ON documents (site_id, issued_on DESC, article_id DESC);
CREATE INDEX documents_type ON documents (site_id, type_id, issued_on DESC);
CREATE INDEX documents_issuer ON documents (site_id, issuer_id, issued_on DESC);
CREATE INDEX documents_field ON documents (site_id, field_id, issued_on DESC);
CREATE INDEX documents_number ON documents (site_id, number_key);

-- "Thay thế" and "sửa đổi, bổ sung": from the newer document to the older.
CREATE TABLE document_links (
    site_id  INTEGER NOT NULL REFERENCES sites(id),
    from_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    to_id    INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    relation TEXT NOT NULL CHECK (relation IN ('replaces', 'amends')),
    PRIMARY KEY (from_id, to_id, relation)
);
CREATE INDEX document_links_to ON document_links (to_id, relation);

CREATE TABLE document_files (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    name       TEXT NOT NULL UNIQUE,           -- generated: 32 hex digits
    ext        TEXT NOT NULL,                  -- from the content: pdf, docx…
    original   TEXT NOT NULL,                  -- the uploader's file name
    bytes      INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    has_text   INTEGER NOT NULL,               -- 0: a scan without a text layer (or a spreadsheet)
    text       TEXT NOT NULL DEFAULT '',       -- extracted, for search
    downloads  INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX document_files_article ON document_files (article_id, position);

-- Comments on a draft for public comment; shown once staff approve them.
CREATE TABLE document_comments (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites(id),
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    contact    TEXT NOT NULL DEFAULT '',       -- never shown publicly
    body       TEXT NOT NULL,
    day        TEXT NOT NULL,
    visitor    TEXT NOT NULL,                  -- the statistics' visitor key
    status     TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'shown', 'hidden')),
    created_at TEXT NOT NULL
);
CREATE INDEX document_comments_article ON document_comments (article_id, status, created_at);
CREATE INDEX document_comments_visitor ON document_comments (article_id, day, visitor);

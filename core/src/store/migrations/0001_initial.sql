-- Sổ Tay device store, schema 1.
-- The automerge documents are the truth; every other table is derived from them and can be
-- rebuilt (`Store::rebuild_index`), except `profile`, which is this device's own.

-- This device: who uses it, in which role and unit.
CREATE TABLE profile (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);

-- Each document: a compacted snapshot, and the incremental chunks saved since it.
-- Rowid tables: snapshots of a few kilobytes stay on their B-tree page, where a WITHOUT ROWID
-- table would spill each one onto a mostly empty overflow page.
CREATE TABLE documents (
    doc_id      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    snapshot    BLOB NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE document_chunks (
    doc_id TEXT NOT NULL REFERENCES documents (doc_id),
    seq    INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    UNIQUE (doc_id, seq)
);

-- The derived index of records, for lists, filters, search and reports.
CREATE TABLE record_index (
    row_id     INTEGER PRIMARY KEY,
    record_id  TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    commune    TEXT NOT NULL,
    district   TEXT,
    province   TEXT,
    status     TEXT NOT NULL,
    title      TEXT NOT NULL,
    event_date TEXT,
    next_due   TEXT,
    deleted    INTEGER NOT NULL,
    conflicts  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    heads      TEXT NOT NULL
);
-- Lists go by date; every other filter is checked on the way (an index per filter would
-- cost each save a page write more than it saves a list).
CREATE INDEX record_index_recent ON record_index (deleted, event_date DESC, record_id DESC);
CREATE INDEX record_index_due ON record_index (next_due) WHERE next_due IS NOT NULL;

-- Folded text (no case, no diacritics, đ as d) of each record, keyed by record_index.row_id.
-- Contentless: the text itself is already in the documents.
CREATE VIRTUAL TABLE record_search USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Villages, derived from their documents.
CREATE TABLE villages (
    village_id   TEXT PRIMARY KEY,
    commune      TEXT NOT NULL,
    name         TEXT NOT NULL,
    folded_name  TEXT NOT NULL,
    village_type TEXT NOT NULL,
    households   INTEGER,
    deleted      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX villages_commune ON villages (commune);

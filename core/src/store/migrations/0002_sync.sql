-- Sổ Tay device store, schema 2: the device's side of sync.

-- The server this device enrolled with. The token is a secret; the store is encrypted.
CREATE TABLE sync_account (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    server_url    TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    token         TEXT NOT NULL,
    enrolled_at   INTEGER NOT NULL,
    -- How far into the server's change feed this device has durably applied (see protocol::Cursor).
    cursor        INTEGER NOT NULL DEFAULT 0,
    cursor_tag    INTEGER NOT NULL DEFAULT 0,
    last_sync_at  INTEGER,
    last_error    TEXT,
    -- The server asked for a document-by-document repair.
    repair_needed INTEGER NOT NULL DEFAULT 0
);

-- Per document: the heads the server is known to have, and whether local changes wait.
CREATE TABLE sync_docs (
    doc_id       TEXT PRIMARY KEY,
    server_heads TEXT NOT NULL DEFAULT '',
    dirty        INTEGER NOT NULL DEFAULT 1,
    -- Why the server refused this document's changes, if it did (they are not sent again).
    rejected     TEXT
) WITHOUT ROWID;
CREATE INDEX sync_docs_dirty ON sync_docs (dirty) WHERE dirty = 1;

-- When the server first received each change: history's trustworthy clock.
CREATE TABLE change_receipts (
    change_hash TEXT PRIMARY KEY,
    server_time INTEGER NOT NULL
) WITHOUT ROWID;

-- Everything saved before this version is waiting to be sent.
INSERT INTO sync_docs (doc_id, dirty) SELECT doc_id, 1 FROM documents;

-- Sổ Tay server, schema 1.

CREATE TABLE users (
    login        TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    disabled     INTEGER NOT NULL DEFAULT 0
);

-- Tokens are stored as SHA-256 hashes: 256 random bits need no slow hash, and a leaked database
-- gives no usable token.
CREATE TABLE devices (
    device_id        TEXT PRIMARY KEY,
    login            TEXT NOT NULL REFERENCES users (login),
    name             TEXT NOT NULL,
    token_hash       BLOB NOT NULL UNIQUE,
    enrolled_at      INTEGER NOT NULL,
    revoked_at       INTEGER,
    last_seen_at     INTEGER,
    -- The highest cursor the device has sent: it has durably applied the feed up to here.
    confirmed_cursor INTEGER NOT NULL DEFAULT 0,
    -- The cursor the server gave it last. A device that comes back behind it either lost that
    -- response or was restored from a backup: its own recent changes are sent back to it.
    issued_cursor    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE enrollment_codes (
    code_hash  BLOB PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES users (login),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT
);

-- Documents, in the layout the core's `store::documents` reads and writes, filed by scope.
CREATE TABLE documents (
    doc_id      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    snapshot    BLOB NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    unit        TEXT NOT NULL DEFAULT '',
    commune     TEXT NOT NULL DEFAULT '',
    district    TEXT,
    province    TEXT,
    -- Comma-separated logins of a petition's (and its denouncer identity's) handlers.
    handlers    TEXT NOT NULL DEFAULT '',
    -- The petition of a denouncer identity, or the identity of a petition.
    linked_doc  TEXT,
    heads       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX documents_commune ON documents (commune);

CREATE TABLE document_chunks (
    doc_id TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    bytes  BLOB NOT NULL,
    UNIQUE (doc_id, seq)
);

-- The change feed: every batch of new changes, in the order the server received them.
CREATE TABLE feed (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- A random tag: a cursor names an entry by (seq, tag), so that a server restored from a
    -- backup, which reuses sequence numbers, knows a cursor from before the restore.
    tag         INTEGER NOT NULL,
    doc_id      TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    -- postcard-encoded list of automerge changes
    changes     BLOB NOT NULL,
    size        INTEGER NOT NULL
);
CREATE INDEX feed_doc ON feed (doc_id);

-- When the server first received each change.
CREATE TABLE change_receipts (
    change_hash TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;

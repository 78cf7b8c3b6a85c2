-- Documents as the server holds them, filed by scope: a compacted snapshot and the chunks saved
-- since (the layout of the SQLite database's, so that one staging writes either). Every change
-- is also a row of `changes`, keyed by hash, for the feed, authorship and history. A write
-- checks that `heads` and `chunk_count` are still what its staging read, so no instance
-- compacts from a stale copy.
CREATE TABLE documents (
    doc_id      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    snapshot    BYTEA NOT NULL,
    chunk_count BIGINT NOT NULL DEFAULT 0,
    unit        TEXT NOT NULL DEFAULT '',
    commune     TEXT NOT NULL DEFAULT '',
    district    TEXT,
    province    TEXT,
    -- Comma-separated logins of a petition's (and its denouncer identity's) handlers.
    handlers    TEXT NOT NULL DEFAULT '',
    -- The petition of a denouncer identity, or the identity of a petition.
    linked_doc  TEXT,
    heads       TEXT NOT NULL DEFAULT '',
    size        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX documents_commune ON documents (commune);
CREATE INDEX documents_villages ON documents (commune) WHERE kind = 'village';

CREATE TABLE document_chunks (
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL,
    bytes  BYTEA NOT NULL,
    PRIMARY KEY (doc_id, seq)
);

-- Accounts, as on SQLite. Tokens and codes are stored hashed.
CREATE TABLE users (
    login        TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    disabled     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE devices (
    device_id        TEXT PRIMARY KEY,
    login            TEXT NOT NULL REFERENCES users (login),
    name             TEXT NOT NULL,
    token_hash       BYTEA NOT NULL UNIQUE,
    enrolled_at      BIGINT NOT NULL,
    revoked_at       BIGINT,
    last_seen_at     BIGINT,
    confirmed_cursor BIGINT NOT NULL DEFAULT 0,
    issued_cursor    BIGINT NOT NULL DEFAULT 0,
    -- Bytes of changes the device has added, against its quota: checked in the transaction that
    -- adds them, so two instances cannot both let it pass.
    stored_bytes     BIGINT NOT NULL DEFAULT 0,
    -- The id it wrote under before it enrolled: its changes may carry it.
    former_id        TEXT
);
CREATE INDEX devices_login ON devices (login);

-- What each record adds to reports (decision 0022), written with the record.
CREATE TABLE report_facts (
    doc_id   TEXT PRIMARY KEY,
    unit     TEXT NOT NULL,
    commune  TEXT NOT NULL,
    province TEXT,
    deleted  BOOLEAN NOT NULL,
    heads    TEXT NOT NULL,
    version  BIGINT NOT NULL,
    facts    BYTEA NOT NULL
);
CREATE INDEX report_facts_commune ON report_facts (commune);
CREATE INDEX report_facts_unit ON report_facts (unit);

-- Which documents refer to which files; a reference alone grants nothing.
CREATE TABLE attachment_refs (
    sha256 TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (sha256, doc_id)
);

-- One-time enrollment codes, stored as HMAC-SHA-256 under the server's code secret.
CREATE TABLE enrollment_codes (
    code_hash  BYTEA PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES users (login),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    device_id  TEXT
);

-- Secrets every instance must share (on SQLite they are files in the data directory): the key
-- enrollment codes are hashed under. Made by the first instance that needs it.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

-- Readiness: /healthz commits a write here.
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at BIGINT NOT NULL
);

-- Files attached to records, by their SHA-256, in the database: every instance serves every
-- file. Kept only if it is the file its hash names and a record the sender may write refers to
-- it; served to devices that may read a record it was sent through (attachment_grants).
CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    data        BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    device_id   TEXT NOT NULL
);

CREATE TABLE attachment_grants (
    sha256 TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (sha256, doc_id)
);

-- Requests of each device in the current minute (which starts with its first request), counted
-- by every instance: a device spread over several instances gets its rate once. Unlogged: a
-- count lost in a crash (or on a standby, which does not receive it) only gives a device a fresh
-- minute, and not writing it to the log spares every request a disk sync.
CREATE UNLOGGED TABLE device_requests (
    device_id    TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count        INTEGER NOT NULL
);

-- Sổ Tay server, schema 4: bounds on what one device may do, and what was found damaged.

-- Bytes of changes each device has added, against its quota.
ALTER TABLE devices ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
-- The id a device wrote its changes under before it enrolled (its store's first id): changes
-- may carry it.
ALTER TABLE devices ADD COLUMN former_id TEXT;

-- A document's stored size (snapshot and chunks), against the document size limit.
ALTER TABLE documents ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE documents SET size = length(snapshot)
    + coalesce((SELECT sum(length(bytes)) FROM document_chunks c WHERE c.doc_id = documents.doc_id), 0);

-- SHA-256 of each feed entry's blob, checked when it is read back; NULL for entries written
-- before, which are checked by parsing their changes.
ALTER TABLE feed ADD COLUMN digest BLOB;

-- Feed entries and documents found damaged when read: kept out of what is served, and listed by
-- `sotay-server check` and in /metrics. The rows themselves stay for an operator to look at.
CREATE TABLE quarantine (
    what     TEXT NOT NULL,  -- 'feed' or 'document'
    ref      TEXT NOT NULL,  -- the feed seq, or the document id
    found_at INTEGER NOT NULL,
    PRIMARY KEY (what, ref)
) WITHOUT ROWID;

-- Readiness: /healthz commits a write here.
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);

-- Enrollment codes hashed with the server's secret (HMAC-SHA-256); older rows hold plain SHA-256.
ALTER TABLE enrollment_codes ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;

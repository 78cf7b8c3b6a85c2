-- Sổ Tay server, schema 3: files attached to records (scans of signed agreements, photos of
-- minutes), content-addressed. A file is kept only if it is the file its hash names and a record
-- the sending device may write refers to it; it is served only to devices that may read a record
-- it was sent through.
CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    data        BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    device_id   TEXT NOT NULL
);

-- Which documents refer to which files, kept as documents arrive. Anyone may write a reference
-- to any hash into a record of their own; a reference alone grants nothing.
CREATE TABLE attachment_refs (
    sha256 TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (sha256, doc_id)
);

-- The documents a file was sent through, by a device that may write them and had the file's
-- bytes: their readers may fetch it. Never removed: an edit that drops a reference leaves the
-- file readable by those who could read it before.
CREATE TABLE attachment_grants (
    sha256 TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (sha256, doc_id)
);

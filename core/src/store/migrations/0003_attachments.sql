-- Sổ Tay device store, schema 3: files attached to records (a signed mediation agreement, a
-- photo of the minutes), content-addressed, in the encrypted database like the records.
-- `sent` is set once the server has the file; a file another phone attached arrives with sent = 1.
CREATE TABLE attachments (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    data       BLOB NOT NULL,
    sent       INTEGER NOT NULL DEFAULT 0
);

-- Sổ Tay device store, schema 5: documents a repair could not bring to the server.

-- After the server was restored from a backup, this phone may hold changes the server lost that
-- other users' phones wrote; the server takes those only from their authors. Such a document
-- (with any change of this phone's own on top) is reconciled again, by itself, after a sync in which
-- the feed brings news of it (its author's phone has been), until the server holds what this phone
-- holds. Its own edits wait with it: pushed alone, they would lack what they build on.
ALTER TABLE sync_docs ADD COLUMN awaiting_authors INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sync_docs_awaiting ON sync_docs (awaiting_authors) WHERE awaiting_authors = 1;
-- Set when the feed brought a change to a waiting document; cleared by the reconciliation.
ALTER TABLE sync_account ADD COLUMN awaiting_check INTEGER NOT NULL DEFAULT 0;

-- Sổ Tay device store, schema 4: the two-tier units in force since 2025-07-01.

-- Work done in Rust once, after the schema is up to date, because it needs the unit catalogue:
-- the profile's unit moves to its successor, and the index is rebuilt on today's units.
CREATE TABLE upkeep (
    task TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO upkeep (task) VALUES ('units-2025-07');

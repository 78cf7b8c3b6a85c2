-- Sổ Tay server, schema 5: the two-tier units in force since 2025-07-01.

-- Work done in Rust once, after the schema is up to date, because it needs the unit catalogue
-- (`db::upkeep`): documents are filed again under today's communes and provinces, and users'
-- units move to their successors. Districts are gone; a district's users are left without a
-- unit in force until an administrator gives them one (`sotay-server user edit`).
CREATE TABLE upkeep (
    task TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO upkeep (task) VALUES ('units-2025-07');

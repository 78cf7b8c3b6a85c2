-- A SHA-256 of each change's bytes as stored, so that serving can tell a damaged row in a
-- microsecond (decision 0024). The change's own hash is over its uncompressed form, and a large
-- change is stored compressed: checking that hash means parsing the change. Rows written before
-- this have none, and are parsed.
ALTER TABLE changes ADD COLUMN digest BYTEA;

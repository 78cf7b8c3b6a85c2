-- Sổ Tay server, schema 7: lookups a province's report page makes, by index.

-- When a commune last synced (one row of the roll-up each) asks for the commune's villages;
-- without this, each asked every document of the commune for its kind.
CREATE INDEX documents_villages ON documents (commune) WHERE kind = 'village';
-- A village's or a commune's report on a province's server reads its own rows, not the province's.
CREATE INDEX report_facts_unit ON report_facts (unit);

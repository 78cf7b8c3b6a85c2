-- Sổ Tay server, schema 6: what each record adds to reports, kept beside it.

-- Derived from the record's body (`sotay_core::report::ReportFacts`) whenever the record is
-- written, in the same transaction, so that a province's report adds up these rows instead of
-- decoding every document of the province. Facts of another version of the figures are derived
-- again from their documents when the database opens (`report_facts::derive_missing`), which
-- also fills this table for the records already held.
CREATE TABLE report_facts (
    doc_id   TEXT PRIMARY KEY,
    unit     TEXT NOT NULL,
    commune  TEXT NOT NULL,
    province TEXT,
    deleted  INTEGER NOT NULL,
    -- The heads of the version the facts describe (what an issued report keeps).
    heads    TEXT NOT NULL,
    version  INTEGER NOT NULL,
    facts    BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX report_facts_commune ON report_facts (commune);
CREATE INDEX report_facts_province ON report_facts (province);

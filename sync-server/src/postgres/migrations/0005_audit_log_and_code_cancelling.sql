-- The audit log, and enrollment codes that an administrator cancels, as on SQLite (its schema 8).

ALTER TABLE enrollment_codes ADD COLUMN cancelled_at BIGINT;

-- The device a dashboard user writes from, as on SQLite.
ALTER TABLE devices ADD COLUMN dashboard BOOLEAN NOT NULL DEFAULT FALSE;

-- What a device says of itself when it enrolls (its system and app version), for administrators.
ALTER TABLE devices ADD COLUMN platform TEXT;
ALTER TABLE devices ADD COLUMN app_version TEXT;

CREATE TABLE audit_log (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     BIGINT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only, whoever connects: every change and deletion is refused (TRUNCATE too).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

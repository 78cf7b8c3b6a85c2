-- Sổ Tay server, schema 8: the audit log, and enrollment codes that an administrator cancels.

-- A cancelled code: its expiry is brought to the moment it was cancelled, so that enrolling
-- refuses it as it refuses an expired one; this says why.
ALTER TABLE enrollment_codes ADD COLUMN cancelled_at INTEGER;

-- The device a dashboard user writes from (resolving a conflict on the web): one per user, made
-- on first use; its token is random and never given out, so it can only be used by the server.
ALTER TABLE devices ADD COLUMN dashboard INTEGER NOT NULL DEFAULT 0;

-- What a device says of itself when it enrolls (its system and app version), for administrators.
ALTER TABLE devices ADD COLUMN platform TEXT;
ALTER TABLE devices ADD COLUMN app_version TEXT;

-- Administrative and sign-in actions: who (a login, or the operator's account for the server's
-- command line), what, on what (a login, a device id, a code's id, a unit and period), from
-- where (an address, or the command line). Nothing of any record's content. Append-only: the
-- triggers refuse every change and deletion.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Sổ Tay server, schema 2: the dashboard.

-- Argon2id PHC strings; a user without one cannot sign in to the dashboard (devices are unaffected).
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- Signed-in browsers. The cookie carries 256 random bits; only their SHA-256 is kept.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES users (login),
    -- The token that forms of this session must carry back (CSRF).
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Reports as issued (chốt), with the heads of every record counted, so that later edits show
-- as amendments. Issuing again adds a row; the latest counts.
CREATE TABLE issued_reports (
    id         INTEGER PRIMARY KEY,
    unit       TEXT NOT NULL,
    period     TEXT NOT NULL,
    convention TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    figures    TEXT NOT NULL,
    counted    TEXT NOT NULL
);
CREATE INDEX issued_reports_of ON issued_reports (unit, period, convention, issued_at);

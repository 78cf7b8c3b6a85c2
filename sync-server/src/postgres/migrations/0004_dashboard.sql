-- The dashboard, as on SQLite (its schema 2): password hashes, sessions and issued reports in
-- the database, so that any instance serves any signed-in browser.

-- Argon2id PHC strings; a user without one cannot sign in to the dashboard (devices are unaffected).
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- Signed-in browsers. The cookie carries 256 random bits; only their SHA-256 is kept.
CREATE TABLE sessions (
    token_hash BYTEA PRIMARY KEY,
    login      TEXT NOT NULL REFERENCES users (login),
    -- The token that forms of this session must carry back (CSRF).
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_login ON sessions (login);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Reports as issued (chốt), with the heads of every record counted, so that later edits show
-- as amendments. Issuing again adds a row; the latest counts.
CREATE TABLE issued_reports (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit       TEXT NOT NULL,
    period     TEXT NOT NULL,
    convention TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    figures    TEXT NOT NULL,
    counted    TEXT NOT NULL
);
CREATE INDEX issued_reports_of ON issued_reports (unit, period, convention, issued_at);

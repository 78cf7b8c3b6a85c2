-- Changes as rows keyed by their automerge hash: a change re-sent, or relayed by another
-- device, is a no-op. `position` is the change's place in the feed, taken as the last step of
-- the transaction that writes it (see feed_head), so that positions are in commit order.
CREATE TABLE changes (
    hash        BYTEA PRIMARY KEY CHECK (length(hash) = 32),
    doc_id      TEXT NOT NULL,
    -- The device that sent it first (authorship is inside the change itself).
    device_id   TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    bytes       BYTEA NOT NULL,
    position    BIGINT UNIQUE
);
CREATE INDEX changes_doc ON changes (doc_id);

-- The feed's one counter row. A writer locks it (UPDATE) as its last statement and holds the
-- lock until it commits: a transaction numbered after another therefore commits after it, and a
-- reader that sees position n sees every position before n. `epoch` tells a cursor of this feed
-- from one of a feed restored from a backup, which reuses positions.
CREATE TABLE feed_head (
    singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    last        BIGINT NOT NULL,
    epoch       BIGINT NOT NULL
);
INSERT INTO feed_head (last, epoch) VALUES (0, (random() * 9007199254740991)::BIGINT);

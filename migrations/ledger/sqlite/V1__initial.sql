-- The central ledger (SQLite dialect; keep in step with ../postgres).
-- Times are local Korean time, 'YYYY-MM-DDTHH:MM:SS'. Tables keyed by
-- text or several columns are WITHOUT ROWID: one B-tree each instead of a
-- table and its key index, which halves the pages a push writes.

-- The ledger's Ed25519 key for signing policies.
CREATE TABLE ledger_key (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    signing_key  BLOB NOT NULL
);

CREATE TABLE admin_token (
    token_hash  BLOB PRIMARY KEY,
    created_at  TEXT NOT NULL
);

CREATE TABLE campaign (
    id          TEXT PRIMARY KEY,
    secret      BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE campaign_policy (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id   TEXT NOT NULL REFERENCES campaign (id),
    version       TEXT NOT NULL,
    toml          TEXT NOT NULL,
    signature     TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    UNIQUE (campaign_id, version)
);

CREATE TABLE enrollment_code (
    code_hash    BLOB PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaign (id),
    site_code    TEXT NOT NULL,
    site_name    TEXT NOT NULL,
    site_type    TEXT NOT NULL CHECK (site_type IN ('center', 'nh')),
    sigungu      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    redeemed_at  TEXT,
    terminal_id  TEXT
);

CREATE TABLE terminal (
    id           TEXT PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    campaign_id  TEXT NOT NULL REFERENCES campaign (id),
    site_code    TEXT NOT NULL,
    site_name    TEXT NOT NULL,
    site_type    TEXT NOT NULL,
    sigungu      TEXT NOT NULL,
    enrolled_at  TEXT NOT NULL,
    -- the outbox sequence number expected next
    next_seq     INTEGER NOT NULL DEFAULT 1
);

-- Who stands paid (or is being served) for each beneficiary: the primary
-- key lets exactly one claim or payment win.
CREATE TABLE entitlement (
    campaign_id      TEXT NOT NULL,
    beneficiary_key  BLOB NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('claimed', 'paid')),
    terminal_id      TEXT,
    issuance_id      TEXT,
    channel          TEXT NOT NULL,
    site             TEXT NOT NULL,
    sigungu          TEXT,
    at               TEXT NOT NULL,
    expires_at       TEXT,
    PRIMARY KEY (campaign_id, beneficiary_key)
) WITHOUT ROWID;

-- Every event a terminal pushed, by the SHA-256 of its JSON, with the
-- verdict given (NULL: accepted): the same event again gets the same answer.
CREATE TABLE event (
    terminal_id  TEXT NOT NULL REFERENCES terminal (id),
    seq          INTEGER NOT NULL,
    -- the terminal's UUIDv7, for tracing; (terminal_id, seq) identifies
    event_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body_sha256  BLOB NOT NULL,
    verdict      TEXT,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (terminal_id, seq)
) WITHOUT ROWID;

-- Where an issuance was made is its terminal's site: not repeated here.
CREATE TABLE issuance (
    id            TEXT PRIMARY KEY,
    terminal_id   TEXT NOT NULL REFERENCES terminal (id),
    issued_at     TEXT NOT NULL,
    verification  TEXT NOT NULL,
    total_krw     INTEGER NOT NULL,
    received_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX issuance_by_day ON issuance (issued_at);

CREATE TABLE issuance_beneficiary (
    issuance_id      TEXT NOT NULL REFERENCES issuance (id),
    position         INTEGER NOT NULL,
    beneficiary_key  BLOB NOT NULL,
    sigungu          TEXT NOT NULL,
    household_size   INTEGER NOT NULL,
    amount_krw       INTEGER NOT NULL,
    -- JSON: source -> amount
    shares           TEXT NOT NULL,
    PRIMARY KEY (issuance_id, position)
) WITHOUT ROWID;

CREATE TABLE void (
    issuance_id       TEXT PRIMARY KEY REFERENCES issuance (id),
    void_id           TEXT NOT NULL UNIQUE,
    voided_at         TEXT NOT NULL,
    reason            TEXT NOT NULL,
    card_disposition  TEXT NOT NULL,
    received_at       TEXT NOT NULL
);

-- Applications paid through the card companies, imported by key only.
CREATE TABLE online_payment (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id      TEXT NOT NULL,
    beneficiary_key  BLOB NOT NULL,
    sigungu          TEXT NOT NULL,
    amount_krw       INTEGER NOT NULL,
    issuer           TEXT NOT NULL,
    paid_at          TEXT NOT NULL,
    imported_at      TEXT NOT NULL
);

-- Two payments for one beneficiary. The first recorded stands; nothing is
-- overwritten; supervisors on both sides see it until it is resolved.
CREATE TABLE conflict (
    id                    TEXT PRIMARY KEY,
    campaign_id           TEXT NOT NULL,
    beneficiary_key       BLOB NOT NULL,
    standing_issuance_id  TEXT,
    standing_terminal_id  TEXT,
    standing_channel      TEXT NOT NULL,
    standing_site         TEXT NOT NULL,
    standing_at           TEXT NOT NULL,
    other_issuance_id     TEXT,
    other_terminal_id     TEXT,
    other_channel         TEXT NOT NULL,
    other_site            TEXT NOT NULL,
    other_at              TEXT NOT NULL,
    detected_at           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('open', 'resolved_by_void', 'accepted')),
    note                  TEXT,
    resolved_at           TEXT
);
CREATE INDEX conflict_by_key ON conflict (campaign_id, beneficiary_key);

-- What changed, in order, for terminals to pull after a cursor.
CREATE TABLE feed (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id      TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('paid', 'released', 'conflict')),
    sigungu          TEXT,
    beneficiary_key  BLOB,
    payer_terminal   TEXT,
    channel          TEXT,
    site             TEXT,
    at               TEXT,
    conflict_id      TEXT,
    terminal_a       TEXT,
    terminal_b       TEXT
);
CREATE INDEX feed_deny ON feed (campaign_id, sigungu, id) WHERE kind IN ('paid', 'released');
CREATE INDEX feed_conflict_a ON feed (terminal_a, id) WHERE kind = 'conflict';
CREATE INDEX feed_conflict_b ON feed (terminal_b, id) WHERE kind = 'conflict';

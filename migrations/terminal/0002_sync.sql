-- Sync with the central ledger: enrollment, the ledger's verdicts on pushed
-- events, pull progress, and the conflicts this terminal is part of.

-- Written once, when the terminal redeems its enrollment code.
CREATE TABLE enrollment (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    ledger_url   TEXT NOT NULL,
    terminal_id  TEXT NOT NULL,
    -- the bearer token for the ledger
    token        TEXT NOT NULL,
    -- the ledger's Ed25519 public key, hex: policies must verify against it
    ledger_key   TEXT NOT NULL,
    enrolled_at  TEXT NOT NULL,
    enrolled_by  TEXT NOT NULL REFERENCES clerk (employee_id)
);
CREATE TRIGGER enrollment_append_only_u BEFORE UPDATE ON enrollment BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER enrollment_append_only_d BEFORE DELETE ON enrollment BEGIN SELECT RAISE(ABORT, 'append_only'); END;

-- The ledger's verdict on each pushed event, recorded once.
CREATE TABLE outbox_ack (
    seq       INTEGER PRIMARY KEY REFERENCES outbox (seq),
    verdict   TEXT NOT NULL CHECK (verdict IN ('accepted', 'duplicate', 'rejected')),
    detail    TEXT NOT NULL,
    acked_at  TEXT NOT NULL
);
CREATE TRIGGER outbox_ack_append_only_u BEFORE UPDATE ON outbox_ack BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER outbox_ack_append_only_d BEFORE DELETE ON outbox_ack BEGIN SELECT RAISE(ABORT, 'append_only'); END;

-- Where sync stands: progress, not history.
CREATE TABLE sync_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    pull_cursor      INTEGER NOT NULL DEFAULT 0,
    last_contact_at  TEXT,
    last_push_at     TEXT,
    last_pull_at     TEXT,
    last_error       TEXT
);
INSERT INTO sync_state (id) VALUES (1);

-- Conflicts this terminal is part of, as the ledger last described them.
-- A cache of the ledger's knowledge, refreshed by pull.
CREATE TABLE conflict (
    id               TEXT PRIMARY KEY,
    beneficiary_key  BLOB NOT NULL CHECK (length(beneficiary_key) = 32),
    -- JSON of the protocol's PaymentRef
    standing         TEXT NOT NULL,
    other            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'resolved_by_void', 'accepted')),
    note             TEXT,
    detected_at      TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- A supervisor's decision on a conflict, other than a void: both payments
-- stand, knowingly.
CREATE TABLE conflict_resolution (
    id           TEXT PRIMARY KEY,
    conflict_id  TEXT NOT NULL REFERENCES conflict (id),
    resolution   TEXT NOT NULL CHECK (resolution IN ('accepted')),
    note         TEXT NOT NULL CHECK (length(trim(note)) > 0),
    resolved_by  TEXT NOT NULL REFERENCES clerk (employee_id),
    resolved_at  TEXT NOT NULL
);
CREATE TRIGGER conflict_resolution_by_supervisor BEFORE INSERT ON conflict_resolution
WHEN (SELECT role FROM clerk WHERE employee_id = NEW.resolved_by) IS NOT 'supervisor'
BEGIN
    SELECT RAISE(ABORT, 'supervisor_required');
END;
CREATE TRIGGER conflict_resolution_append_only_u BEFORE UPDATE ON conflict_resolution BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER conflict_resolution_append_only_d BEFORE DELETE ON conflict_resolution BEGIN SELECT RAISE(ABORT, 'append_only'); END;

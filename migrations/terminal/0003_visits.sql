-- Visits: each visit that asks the ledger is recorded before it asks, so
-- that no crash can forget a claim, and ends once: by its issuance, or by
-- an end the ledger hears of through the outbox. Runs with foreign keys
-- off (the outbox is rebuilt to take the new kind of event); the
-- migration checks them before it commits.

CREATE TABLE visit (
    id         TEXT PRIMARY KEY,
    opened_at  TEXT NOT NULL,
    opened_by  TEXT NOT NULL REFERENCES clerk (employee_id)
);

CREATE TABLE visit_end (
    visit_id     TEXT PRIMARY KEY REFERENCES visit (id),
    outcome      TEXT NOT NULL CHECK (outcome IN ('issued', 'ended')),
    issuance_id  TEXT UNIQUE REFERENCES issuance (id),
    reason       TEXT,
    ended_at     TEXT NOT NULL,
    CHECK ((outcome = 'issued') = (issuance_id IS NOT NULL))
);

CREATE TRIGGER visit_append_only_u BEFORE UPDATE ON visit BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER visit_append_only_d BEFORE DELETE ON visit BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER visit_end_append_only_u BEFORE UPDATE ON visit_end BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER visit_end_append_only_d BEFORE DELETE ON visit_end BEGIN SELECT RAISE(ABORT, 'append_only'); END;

-- The outbox, rebuilt as it was with one more kind of event.
CREATE TABLE outbox_v3 (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('issuance', 'void', 'resolution', 'visit_ended')),
    subject_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO outbox_v3 (seq, event_id, kind, subject_id, payload, created_at)
    SELECT seq, event_id, kind, subject_id, payload, created_at FROM outbox ORDER BY seq;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_by_subject ON outbox (subject_id);
CREATE TRIGGER outbox_gap_free BEFORE INSERT ON outbox
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM outbox)
BEGIN
    SELECT RAISE(ABORT, 'outbox_sequence_gap');
END;
CREATE TRIGGER outbox_append_only_u BEFORE UPDATE ON outbox BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER outbox_append_only_d BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'append_only'); END;

-- The check value of the feed row the pull cursor stands on: a ledger
-- restored from an earlier copy is told apart by it.
ALTER TABLE sync_state ADD COLUMN pull_check INTEGER NOT NULL DEFAULT 0;

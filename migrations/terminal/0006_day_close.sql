-- The counter's day close (README, "A counter's day"). A close fixes the
-- day's books: the drawer counted against them, what had not reached the
-- ledger named with a reason, and the day's report kept with its SHA-256.
-- A reopening is a new row, so history is never rewritten. Runs with
-- foreign keys off (the outbox is rebuilt to take the new kinds of event);
-- the migration checks them before it commits.

CREATE TABLE day_close (
    id             TEXT PRIMARY KEY,
    day            TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    closed_at      TEXT NOT NULL,
    closed_by      TEXT NOT NULL REFERENCES clerk (employee_id),
    -- why the drawer differed from the books (empty: it did not)
    reason         TEXT NOT NULL DEFAULT '',
    -- events the ledger had not acknowledged, and why the close went ahead
    unsent         INTEGER NOT NULL CHECK (unsent >= 0),
    unsent_reason  TEXT NOT NULL DEFAULT '',
    report         BLOB NOT NULL,
    report_sha256  BLOB NOT NULL CHECK (length(report_sha256) = 32),
    CHECK (unsent = 0 OR length(trim(unsent_reason)) > 0)
);
CREATE INDEX day_close_by_day ON day_close (day);

-- The drawer at the close, by face value.
CREATE TABLE day_close_count (
    close_id    TEXT NOT NULL REFERENCES day_close (id),
    face_value  INTEGER NOT NULL CHECK (face_value > 0),
    expected    INTEGER NOT NULL CHECK (expected >= 0),
    counted     INTEGER NOT NULL CHECK (counted >= 0),
    PRIMARY KEY (close_id, face_value)
) WITHOUT ROWID;

CREATE TABLE day_reopen (
    close_id     TEXT PRIMARY KEY REFERENCES day_close (id),
    reopened_at  TEXT NOT NULL,
    reopened_by  TEXT NOT NULL REFERENCES clerk (employee_id),
    reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0)
) WITHOUT ROWID;

CREATE TRIGGER day_close_by_supervisor BEFORE INSERT ON day_close
WHEN (SELECT role FROM clerk WHERE employee_id = NEW.closed_by) IS NOT 'supervisor'
BEGIN
    SELECT RAISE(ABORT, 'supervisor_required');
END;
CREATE TRIGGER day_reopen_by_supervisor BEFORE INSERT ON day_reopen
WHEN (SELECT role FROM clerk WHERE employee_id = NEW.reopened_by) IS NOT 'supervisor'
BEGIN
    SELECT RAISE(ABORT, 'supervisor_required');
END;

-- A day is closed once until reopened.
CREATE TRIGGER day_closed_once BEFORE INSERT ON day_close
WHEN EXISTS (
    SELECT 1 FROM day_close c
    WHERE c.day = NEW.day AND NOT EXISTS (SELECT 1 FROM day_reopen r WHERE r.close_id = c.id)
)
BEGIN
    SELECT RAISE(ABORT, 'day_closed');
END;

-- A closed day takes no new issuance.
CREATE TRIGGER issuance_not_on_closed_day BEFORE INSERT ON issuance
WHEN EXISTS (
    SELECT 1 FROM day_close c
    WHERE c.day = substr(NEW.issued_at, 1, 10)
      AND NOT EXISTS (SELECT 1 FROM day_reopen r WHERE r.close_id = c.id)
)
BEGIN
    SELECT RAISE(ABORT, 'day_closed');
END;

CREATE TRIGGER day_close_append_only_u BEFORE UPDATE ON day_close BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER day_close_append_only_d BEFORE DELETE ON day_close BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER day_close_count_append_only_u BEFORE UPDATE ON day_close_count BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER day_close_count_append_only_d BEFORE DELETE ON day_close_count BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER day_reopen_append_only_u BEFORE UPDATE ON day_reopen BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER day_reopen_append_only_d BEFORE DELETE ON day_reopen BEGIN SELECT RAISE(ABORT, 'append_only'); END;

-- A void made after its issuance's day was closed belongs to the books of
-- a later day (the first open one from the void's own), which lists it as
-- a correction; NULL: the void belongs to its issuance's day.
ALTER TABLE void ADD COLUMN booked_on TEXT
    CHECK (booked_on IS NULL OR booked_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
CREATE INDEX void_by_booked_day ON void (booked_on) WHERE booked_on IS NOT NULL;

-- The outbox, rebuilt as it was with two more kinds of event.
CREATE TABLE outbox_v6 (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('issuance', 'void', 'resolution', 'visit_ended', 'day_closed', 'day_reopened')),
    subject_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
INSERT INTO outbox_v6 (seq, event_id, kind, subject_id, payload, created_at)
    SELECT seq, event_id, kind, subject_id, payload, created_at FROM outbox ORDER BY seq;
DROP TABLE outbox;
ALTER TABLE outbox_v6 RENAME TO outbox;
CREATE INDEX outbox_by_subject ON outbox (subject_id);
CREATE TRIGGER outbox_gap_free BEFORE INSERT ON outbox
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM outbox)
BEGIN
    SELECT RAISE(ABORT, 'outbox_sequence_gap');
END;
CREATE TRIGGER outbox_append_only_u BEFORE UPDATE ON outbox BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER outbox_append_only_d BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'append_only'); END;

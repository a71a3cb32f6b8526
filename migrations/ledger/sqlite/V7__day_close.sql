-- Each counter's day closes, as its terminal reported them: who closed
-- which day and when, the drawer against the books, what had not reached
-- the ledger, and the SHA-256 of the report the close fixed. A reopening
-- is kept beside the close it undoes.

CREATE TABLE day_close (
    close_id       TEXT PRIMARY KEY,
    terminal_id    TEXT NOT NULL REFERENCES terminal (id),
    day            TEXT NOT NULL,
    closed_at      TEXT NOT NULL,
    closed_by      TEXT NOT NULL,
    -- counted less expected over every face value; the lines as JSON
    difference     INTEGER NOT NULL,
    drawer         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    unsent         INTEGER NOT NULL CHECK (unsent >= 0),
    unsent_reason  TEXT NOT NULL,
    report_sha256  TEXT NOT NULL CHECK (length(report_sha256) = 64),
    received_at    TEXT NOT NULL
);
CREATE INDEX day_close_by_day ON day_close (day);

CREATE TABLE day_reopen (
    close_id     TEXT PRIMARY KEY REFERENCES day_close (close_id),
    reopened_at  TEXT NOT NULL,
    reopened_by  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    received_at  TEXT NOT NULL
);

DROP TRIGGER event_kind_known_insert;
DROP TRIGGER event_kind_known_update;
CREATE TRIGGER event_kind_known_insert BEFORE INSERT ON event
WHEN NEW.kind NOT IN ('issuance', 'void', 'resolution', 'visit_ended', 'day_closed', 'day_reopened')
BEGIN SELECT RAISE(ABORT, 'event.kind: unknown code'); END;
CREATE TRIGGER event_kind_known_update BEFORE UPDATE OF kind ON event
WHEN NEW.kind NOT IN ('issuance', 'void', 'resolution', 'visit_ended', 'day_closed', 'day_reopened')
BEGIN SELECT RAISE(ABORT, 'event.kind: unknown code'); END;

-- The terminal's store of record.
--
-- History tables (issuances, voids, card stock events, sign-in attempts, the
-- outbox and the audit log) are append-only: triggers refuse UPDATE and
-- DELETE, and corrections are new rows. The invariants that keep money safe
-- are held here, by constraints and triggers, not only by application code.
-- Times are the counter's local time, 'YYYY-MM-DDTHH:MM:SS'.

-- The site this terminal serves. One row, written once at `init`.
CREATE TABLE site (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    site_code   TEXT NOT NULL CHECK (length(trim(site_code)) > 0),
    site_name   TEXT NOT NULL CHECK (length(trim(site_name)) > 0),
    site_type   TEXT NOT NULL CHECK (site_type IN ('center', 'nh')),
    sigungu     TEXT NOT NULL CHECK (length(sigungu) = 5),
    -- A demo terminal may be told what time it is; a production one never.
    demo        INTEGER NOT NULL CHECK (demo IN (0, 1)),
    created_at  TEXT NOT NULL
);

-- Campaign policies installed on this terminal; the latest is in force.
CREATE TABLE campaign_policy (
    id            INTEGER PRIMARY KEY,
    campaign_id   TEXT NOT NULL,
    version       TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content       TEXT NOT NULL,
    installed_at  TEXT NOT NULL
);

-- The HMAC key for beneficiary keys, one per campaign.
CREATE TABLE campaign_secret (
    campaign_id  TEXT PRIMARY KEY,
    secret       BLOB NOT NULL CHECK (length(secret) >= 16)
);

CREATE TABLE clerk (
    employee_id  TEXT PRIMARY KEY CHECK (length(trim(employee_id)) > 0),
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    role         TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor')),
    -- argon2id, PHC string format
    pin_hash     TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    added_by     TEXT REFERENCES clerk (employee_id)
);

CREATE TABLE sign_in_attempt (
    id           INTEGER PRIMARY KEY,
    employee_id  TEXT NOT NULL,
    at           TEXT NOT NULL,
    success      INTEGER NOT NULL CHECK (success IN (0, 1))
);
CREATE INDEX sign_in_attempt_by_clerk ON sign_in_attempt (employee_id, id);

-- Card stock: batches as received, each serial once, and every change of a
-- serial's state as an event. A serial's state is its latest event's.
CREATE TABLE card_batch (
    id           INTEGER PRIMARY KEY,
    face_value   INTEGER NOT NULL CHECK (face_value > 0),
    received_at  TEXT NOT NULL,
    received_by  TEXT NOT NULL REFERENCES clerk (employee_id),
    note         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE card (
    serial    TEXT PRIMARY KEY CHECK (length(serial) BETWEEN 1 AND 32),
    batch_id  INTEGER NOT NULL REFERENCES card_batch (id)
) WITHOUT ROWID;

CREATE TABLE card_event (
    id        INTEGER PRIMARY KEY,
    serial    TEXT NOT NULL REFERENCES card (serial),
    state     TEXT NOT NULL CHECK (state IN ('in_stock', 'issued', 'returned', 'damaged', 'lost')),
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL REFERENCES clerk (employee_id),
    -- what caused the change: a batch received, an issuance, a void, an adjustment
    cause     TEXT NOT NULL CHECK (cause IN ('receive', 'issue', 'void', 'adjust')),
    cause_id  TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX card_event_by_serial ON card_event (serial, id);
CREATE INDEX card_event_by_cause ON card_event (cause, cause_id);

-- Only these changes of state exist; anything else is refused.
CREATE TRIGGER card_event_transition BEFORE INSERT ON card_event
WHEN NOT (
    SELECT CASE
        WHEN prev IS NULL THEN NEW.state = 'in_stock' AND NEW.cause = 'receive'
        WHEN prev IN ('in_stock', 'returned') THEN
            (NEW.state = 'issued' AND NEW.cause = 'issue')
            OR (NEW.state IN ('damaged', 'lost') AND NEW.cause = 'adjust')
        WHEN prev = 'issued' THEN NEW.state IN ('returned', 'damaged') AND NEW.cause = 'void'
        WHEN prev = 'lost' THEN NEW.state = 'in_stock' AND NEW.cause = 'adjust'
        ELSE 0
    END
    FROM (SELECT (SELECT state FROM card_event WHERE serial = NEW.serial ORDER BY id DESC LIMIT 1) AS prev)
)
BEGIN
    SELECT RAISE(ABORT, 'card_state_transition');
END;

CREATE TRIGGER card_adjustment_by_supervisor BEFORE INSERT ON card_event
WHEN NEW.cause IN ('receive', 'adjust', 'void')
    AND (SELECT role FROM clerk WHERE employee_id = NEW.actor) IS NOT 'supervisor'
BEGIN
    SELECT RAISE(ABORT, 'supervisor_required');
END;

-- One visit at the counter: who came, what was decided, how it was verified.
CREATE TABLE issuance (
    id                     TEXT PRIMARY KEY,
    campaign_id            TEXT NOT NULL,
    policy_version         TEXT NOT NULL,
    site_code              TEXT NOT NULL,
    clerk_id               TEXT NOT NULL REFERENCES clerk (employee_id),
    issued_at              TEXT NOT NULL,
    applicant_masked       TEXT NOT NULL CHECK (applicant_masked GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9]******'),
    applicant_name         TEXT NOT NULL CHECK (length(trim(applicant_name)) > 0),
    applicant_id_document  TEXT NOT NULL,
    verification           TEXT NOT NULL CHECK (verification IN ('online', 'offline')),
    offline_approved_by    TEXT REFERENCES clerk (employee_id),
    -- the schedule window of the policy that allowed the issuance
    decision_window        TEXT NOT NULL,
    total_krw              INTEGER NOT NULL CHECK (total_krw > 0)
);
CREATE INDEX issuance_by_time ON issuance (issued_at);

CREATE TABLE issuance_beneficiary (
    issuance_id      TEXT NOT NULL REFERENCES issuance (id),
    position         INTEGER NOT NULL CHECK (position >= 0),
    campaign_id      TEXT NOT NULL,
    beneficiary_key  BLOB NOT NULL CHECK (length(beneficiary_key) = 32),
    masked           TEXT NOT NULL CHECK (masked GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9]******'),
    name             TEXT NOT NULL CHECK (length(trim(name)) > 0),
    relation         TEXT NOT NULL,
    household_size   INTEGER NOT NULL CHECK (household_size BETWEEN 1 AND 30),
    sigungu          TEXT NOT NULL CHECK (length(sigungu) = 5),
    PRIMARY KEY (issuance_id, position)
);
CREATE INDEX issuance_beneficiary_by_key ON issuance_beneficiary (campaign_id, beneficiary_key);

CREATE TABLE beneficiary_share (
    issuance_id  TEXT NOT NULL,
    position     INTEGER NOT NULL,
    source       TEXT NOT NULL,
    amount_krw   INTEGER NOT NULL CHECK (amount_krw > 0),
    PRIMARY KEY (issuance_id, position, source),
    FOREIGN KEY (issuance_id, position) REFERENCES issuance_beneficiary (issuance_id, position)
);

CREATE TABLE issuance_card (
    issuance_id  TEXT NOT NULL REFERENCES issuance (id),
    position     INTEGER NOT NULL CHECK (position >= 0),
    serial       TEXT NOT NULL REFERENCES card (serial),
    amount_krw   INTEGER NOT NULL CHECK (amount_krw > 0),
    PRIMARY KEY (issuance_id, position)
);
CREATE INDEX issuance_card_by_serial ON issuance_card (serial);

-- A correction: the issuance stands in history, the void undoes it.
CREATE TABLE void (
    id                TEXT PRIMARY KEY,
    issuance_id       TEXT NOT NULL UNIQUE REFERENCES issuance (id),
    voided_at         TEXT NOT NULL,
    voided_by         TEXT NOT NULL REFERENCES clerk (employee_id),
    reason            TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    card_disposition  TEXT NOT NULL CHECK (card_disposition IN ('returned', 'destroyed'))
);

CREATE TRIGGER void_by_supervisor BEFORE INSERT ON void
WHEN (SELECT role FROM clerk WHERE employee_id = NEW.voided_by) IS NOT 'supervisor'
BEGIN
    SELECT RAISE(ABORT, 'supervisor_required');
END;

-- Beneficiary keys paid elsewhere (other terminals, the online channel),
-- in the campaign in force, filled by sync. A cache of the ledger's
-- knowledge, so not history; kept narrow, since a large 시군 lists a
-- million keys.
CREATE TABLE deny_list (
    beneficiary_key  BLOB PRIMARY KEY CHECK (length(beneficiary_key) = 32),
    channel          TEXT NOT NULL,
    site             TEXT NOT NULL,
    paid_at          TEXT NOT NULL
) WITHOUT ROWID;

-- One active issuance per beneficiary per campaign, here or anywhere the
-- ledger has told us of.
CREATE TRIGGER beneficiary_paid_once BEFORE INSERT ON issuance_beneficiary
WHEN EXISTS (
    SELECT 1 FROM issuance_beneficiary b
    WHERE b.campaign_id = NEW.campaign_id
      AND b.beneficiary_key = NEW.beneficiary_key
      AND NOT EXISTS (SELECT 1 FROM void v WHERE v.issuance_id = b.issuance_id)
)
BEGIN
    SELECT RAISE(ABORT, 'beneficiary_already_paid');
END;

CREATE TRIGGER beneficiary_not_paid_elsewhere BEFORE INSERT ON issuance_beneficiary
WHEN EXISTS (SELECT 1 FROM deny_list d WHERE d.beneficiary_key = NEW.beneficiary_key)
BEGIN
    SELECT RAISE(ABORT, 'beneficiary_paid_elsewhere');
END;

-- A card must be in stock, and able to hold the amount, to be issued.
CREATE TRIGGER issuance_card_in_stock BEFORE INSERT ON issuance_card
WHEN coalesce((SELECT state FROM card_event WHERE serial = NEW.serial ORDER BY id DESC LIMIT 1), 'unknown')
     NOT IN ('in_stock', 'returned')
BEGIN
    SELECT RAISE(ABORT, 'card_not_in_stock');
END;

CREATE TRIGGER issuance_card_within_face_value BEFORE INSERT ON issuance_card
WHEN NEW.amount_krw > (
    SELECT b.face_value FROM card c JOIN card_batch b ON b.id = c.batch_id WHERE c.serial = NEW.serial
)
BEGIN
    SELECT RAISE(ABORT, 'card_face_value_exceeded');
END;

-- Events for the ledger, in a gap-free per-terminal sequence, written in the
-- same transaction as what they report.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('issuance', 'void', 'resolution')),
    subject_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE INDEX outbox_by_subject ON outbox (subject_id);

CREATE TRIGGER outbox_gap_free BEFORE INSERT ON outbox
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM outbox)
BEGIN
    SELECT RAISE(ABORT, 'outbox_sequence_gap');
END;

-- The audit chain: each entry's hash covers the previous hash and its own
-- content; `content` is a canonical snapshot of the rows the change wrote.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    content    TEXT NOT NULL,
    prev_hash  BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash       BLOB NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_log_by_subject ON audit_log (action, subject);

CREATE TRIGGER audit_log_gap_free BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
BEGIN
    SELECT RAISE(ABORT, 'audit_sequence_gap');
END;

-- History is never rewritten.
CREATE TRIGGER site_append_only_u BEFORE UPDATE ON site BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER site_append_only_d BEFORE DELETE ON site BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER campaign_policy_append_only_u BEFORE UPDATE ON campaign_policy BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER campaign_policy_append_only_d BEFORE DELETE ON campaign_policy BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER sign_in_attempt_append_only_u BEFORE UPDATE ON sign_in_attempt BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER sign_in_attempt_append_only_d BEFORE DELETE ON sign_in_attempt BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER card_batch_append_only_u BEFORE UPDATE ON card_batch BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER card_batch_append_only_d BEFORE DELETE ON card_batch BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER card_append_only_u BEFORE UPDATE ON card BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER card_append_only_d BEFORE DELETE ON card BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER card_event_append_only_u BEFORE UPDATE ON card_event BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER card_event_append_only_d BEFORE DELETE ON card_event BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER issuance_append_only_u BEFORE UPDATE ON issuance BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER issuance_append_only_d BEFORE DELETE ON issuance BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER issuance_beneficiary_append_only_u BEFORE UPDATE ON issuance_beneficiary BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER issuance_beneficiary_append_only_d BEFORE DELETE ON issuance_beneficiary BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER beneficiary_share_append_only_u BEFORE UPDATE ON beneficiary_share BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER beneficiary_share_append_only_d BEFORE DELETE ON beneficiary_share BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER issuance_card_append_only_u BEFORE UPDATE ON issuance_card BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER issuance_card_append_only_d BEFORE DELETE ON issuance_card BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER void_append_only_u BEFORE UPDATE ON void BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER void_append_only_d BEFORE DELETE ON void BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER outbox_append_only_u BEFORE UPDATE ON outbox BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER outbox_append_only_d BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'append_only'); END;

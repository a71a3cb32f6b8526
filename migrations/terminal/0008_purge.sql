-- The purge of personal data after the retention the policy names: once,
-- by a supervisor. What it destroyed is counted here; the audit chain's
-- purge entry seals the entries whose content it blanked.
CREATE TABLE purge (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    purged_at      TEXT NOT NULL,
    purged_by      TEXT NOT NULL REFERENCES clerk (employee_id),
    issuances      INTEGER NOT NULL,
    beneficiaries  INTEGER NOT NULL,
    deny_keys      INTEGER NOT NULL,
    roll_people    INTEGER NOT NULL,
    audit_entries  INTEGER NOT NULL
);
CREATE TRIGGER purge_append_only_u BEFORE UPDATE ON purge BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER purge_append_only_d BEFORE DELETE ON purge BEGIN SELECT RAISE(ABORT, 'append_only'); END;

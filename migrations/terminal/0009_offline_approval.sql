-- Offline issuance opened at this counter (오프라인 발급 승인): a
-- supervisor approves once, with their PIN, for a while and a number of
-- issuances the policy bounds. Each issuance under it names it. It ends
-- when the supervisor closes it or opens a newer one (written here), or
-- when its time or its count runs out (worked out, never written).
CREATE TABLE offline_approval (
    id             TEXT PRIMARY KEY,
    opened_by      TEXT NOT NULL REFERENCES clerk (employee_id),
    opened_at      TEXT NOT NULL,
    until          TEXT NOT NULL CHECK (until > opened_at),
    max_issuances  INTEGER NOT NULL CHECK (max_issuances > 0),
    closed_at      TEXT,
    closed_by      TEXT REFERENCES clerk (employee_id),
    close_reason   TEXT CHECK (close_reason IN ('closed', 'replaced')),
    CHECK ((closed_at IS NULL) = (close_reason IS NULL))
);

-- At most one approval is open at a time.
CREATE UNIQUE INDEX offline_approval_one_open ON offline_approval ((1)) WHERE closed_at IS NULL;

ALTER TABLE issuance ADD COLUMN offline_approval_id TEXT REFERENCES offline_approval (id);
CREATE INDEX issuance_by_offline_approval ON issuance (offline_approval_id)
    WHERE offline_approval_id IS NOT NULL;

-- The database itself holds the approval's bounds: an issuance names an
-- approval only while it is open, within its time, by the supervisor who
-- opened it, and before its count is used up.
CREATE TRIGGER issuance_within_offline_approval BEFORE INSERT ON issuance
WHEN NEW.offline_approval_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'offline_approval_not_in_force')
    WHERE NEW.verification <> 'offline' OR NOT EXISTS (
        SELECT 1 FROM offline_approval a
        WHERE a.id = NEW.offline_approval_id
          AND a.closed_at IS NULL
          AND a.opened_by = NEW.offline_approved_by
          AND a.opened_by NOT IN (SELECT employee_id FROM clerk_removal)
          AND NEW.issued_at >= a.opened_at AND NEW.issued_at < a.until
          AND (SELECT count(*) FROM issuance i WHERE i.offline_approval_id = a.id) < a.max_issuances
    );
END;

-- An approval is closed once, and nothing else of it changes.
CREATE TRIGGER offline_approval_closes_once BEFORE UPDATE ON offline_approval
WHEN OLD.closed_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.opened_by IS NOT OLD.opened_by
  OR NEW.opened_at IS NOT OLD.opened_at OR NEW.until IS NOT OLD.until
  OR NEW.max_issuances IS NOT OLD.max_issuances
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;
CREATE TRIGGER offline_approval_append_only_d BEFORE DELETE ON offline_approval
BEGIN
    SELECT RAISE(ABORT, 'append_only');
END;

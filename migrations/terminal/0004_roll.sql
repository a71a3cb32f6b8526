-- The resident roll of this terminal's 시군, as the ledger signed it: who
-- is registered, in which household and 읍면동, of which standing. No
-- names, no identity numbers: a person is their beneficiary key, a
-- household the ledger's serial for it. Kept small, since a 시군 can be a
-- million people: the masked number as its seven digits, the 읍면동 and
-- standing by a number.

-- The copy held, and a download under way: its target version and where
-- it stopped, so that a cut download goes on from there. Only a completed
-- download raises `version`.
CREATE TABLE roll_copy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    version     INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
    target      INTEGER CHECK (target > version),
    after       TEXT,
    expected    INTEGER,
    received    INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT,
    CHECK ((target IS NULL) = (after IS NULL))
);
INSERT INTO roll_copy (id) VALUES (1);

-- What a person is listed as, shared by many: their 읍면동, their standing,
-- and whether they are still of this 시군 (`here` 0: registered in another
-- 시군 since, kept so the clerk is told they moved). A 시군 has a few
-- hundred of these.
CREATE TABLE roll_group (
    id            INTEGER PRIMARY KEY,
    eupmyeondong  TEXT NOT NULL CHECK (length(eupmyeondong) BETWEEN 1 AND 40),
    status        TEXT NOT NULL CHECK (status IN ('resident', 'marriage_migrant', 'permanent_resident', 'other_foreign', 'removed')),
    here          INTEGER NOT NULL CHECK (here IN (0, 1)),
    UNIQUE (eupmyeondong, status, here)
);

-- `birth` is the masked number's digits, YYMMDDG (`800102-1******` is
-- 8001021).
CREATE TABLE roll_person (
    household  INTEGER NOT NULL CHECK (household >= 1),
    key        BLOB NOT NULL CHECK (length(key) = 32),
    birth      INTEGER NOT NULL CHECK (birth BETWEEN 0 AND 9999999),
    grp        INTEGER NOT NULL,
    PRIMARY KEY (household, key)
) WITHOUT ROWID;

-- A person's household by the first 8 bytes of their key: an index of 20
-- bytes a person rather than 40. Two keys may share a prefix; the lookup
-- then compares whole keys in roll_person. A first download builds it
-- once, in order, at its end.
CREATE TABLE roll_key (
    prefix     BLOB NOT NULL CHECK (length(prefix) = 8),
    household  INTEGER NOT NULL,
    PRIMARY KEY (prefix, household)
) WITHOUT ROWID;

-- Each issuance names the version of the roll that allowed it (none: the
-- terminal had no roll, and took the visitor's word).
ALTER TABLE issuance ADD COLUMN roll_version INTEGER CHECK (roll_version >= 1);

-- A person served though the roll did not admit them: the documented
-- exception, what the supervisor saw, and who they are. History, like
-- the issuance it belongs to.
CREATE TABLE roll_exception (
    issuance_id  TEXT NOT NULL,
    position     INTEGER NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('newborn', 'missed_registration')),
    note         TEXT NOT NULL CHECK (length(trim(note)) > 0),
    approved_by  TEXT NOT NULL REFERENCES clerk (employee_id),
    PRIMARY KEY (issuance_id, position),
    FOREIGN KEY (issuance_id, position) REFERENCES issuance_beneficiary (issuance_id, position)
);
CREATE TRIGGER roll_exception_by_supervisor BEFORE INSERT ON roll_exception
WHEN (SELECT role FROM clerk WHERE employee_id = NEW.approved_by) IS NOT 'supervisor'
BEGIN
    SELECT RAISE(ABORT, 'roll_exception_by_supervisor');
END;
CREATE TRIGGER roll_exception_append_only_u BEFORE UPDATE ON roll_exception BEGIN SELECT RAISE(ABORT, 'append_only'); END;
CREATE TRIGGER roll_exception_append_only_d BEFORE DELETE ON roll_exception BEGIN SELECT RAISE(ABORT, 'append_only'); END;

-- A 읍면동 center's own 읍면동, as the roll names it: a center serves the
-- residents of its own (where the policy says so). None for an NH branch.
ALTER TABLE site ADD COLUMN eupmyeondong TEXT
    CHECK (eupmyeondong IS NULL OR length(trim(eupmyeondong)) BETWEEN 1 AND 40);

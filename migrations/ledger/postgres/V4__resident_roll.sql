-- The resident roll: the register's extract as of the campaign's base date
-- (version 1), then each change file (moved out, died, newborn, corrected)
-- as the next version. A person is kept by their beneficiary key and a
-- household by its keyed token; no identity or household number is kept.

-- A file imported, known by its SHA-256 so that sending it again changes
-- nothing. `complete` is set when every row of it is written: terminals
-- read only versions up to the last complete one, so a file cut short (a
-- crash, a restart) is never half seen, and importing it again finishes it.
CREATE TABLE roll_version (
    campaign_id  TEXT NOT NULL REFERENCES campaign (id),
    version      BIGINT NOT NULL CHECK (version >= 1),
    file_sha256  BYTEA NOT NULL CHECK (length(file_sha256) = 32),
    rows         BIGINT NOT NULL DEFAULT 0,
    changed      BIGINT NOT NULL DEFAULT 0,
    complete     BIGINT NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    imported_at  TEXT NOT NULL,
    PRIMARY KEY (campaign_id, version),
    UNIQUE (campaign_id, file_sha256)
);

-- Each person as the latest file said; `version` is the file that last
-- changed them, so a terminal fetches only what changed since its copy.
CREATE TABLE roll_person (
    campaign_id       TEXT NOT NULL REFERENCES campaign (id),
    beneficiary_key   BYTEA NOT NULL CHECK (length(beneficiary_key) = 32),
    household         BYTEA NOT NULL CHECK (length(household) = 32),
    masked            TEXT NOT NULL CHECK (masked ~ '^[0-9]{6}-[0-9]\*{6}$'),
    sigungu           TEXT NOT NULL CHECK (length(sigungu) = 5),
    eupmyeondong      TEXT NOT NULL CHECK (length(eupmyeondong) BETWEEN 1 AND 40),
    registered_since  TEXT NOT NULL CHECK (length(registered_since) = 10),
    status            TEXT NOT NULL CHECK (status IN ('resident', 'marriage_migrant', 'permanent_resident', 'other_foreign', 'removed')),
    version           BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, beneficiary_key)
);
CREATE INDEX roll_person_household ON roll_person (campaign_id, household);
CREATE INDEX roll_person_changes ON roll_person (campaign_id, sigungu, version);

-- The roll as terminals download it. A household gets a serial number,
-- in the order the ledger first met it: a terminal groups people by it
-- (a few bytes a person) instead of by the 32-byte token.
CREATE TABLE roll_household (
    campaign_id  TEXT NOT NULL REFERENCES campaign (id),
    household    BYTEA NOT NULL CHECK (length(household) = 32),
    serial       BIGINT NOT NULL CHECK (serial >= 1),
    PRIMARY KEY (campaign_id, household),
    UNIQUE (campaign_id, serial)
);

-- Every person's household's serial, beside the token it stands for.
ALTER TABLE roll_person ADD COLUMN household_serial BIGINT NOT NULL DEFAULT 0;

-- A first download reads a 시군 by household; later ones read what changed
-- after a version, across the campaign, so that a terminal learns of those
-- who left its 시군 as well as those who came.
DROP INDEX roll_person_changes;
CREATE INDEX roll_person_download ON roll_person (campaign_id, sigungu, household_serial, beneficiary_key);
CREATE INDEX roll_person_changes ON roll_person (campaign_id, version);

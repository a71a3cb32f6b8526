-- The purge of a campaign's personal data once the policy's retention has
-- passed (개인정보 보호법). `purged_at` marks the campaign: after it the
-- ledger takes nothing more for it, and its secret is gone.
ALTER TABLE campaign ADD COLUMN purged_at TEXT;

-- Used only inside the purge's transaction, and empty outside it: each
-- beneficiary key beside the random one that replaces it in every table,
-- so that counts and joins survive and no key leads back to a number.
CREATE TABLE purge_key (
    old  BLOB PRIMARY KEY,
    new  BLOB NOT NULL UNIQUE
) WITHOUT ROWID;

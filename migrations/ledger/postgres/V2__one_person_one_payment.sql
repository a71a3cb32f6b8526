-- One person's payment in one place (PostgreSQL dialect; keep in step with ../sqlite).
-- Every payment, claim, visit end and acceptance is a row; `entitlement`
-- holds only what `relief-ledger/src/person` works out from them, in the
-- same transaction as each write. See the README, "One person, one payment".

-- Every payment recorded for a person, counter or online, in the order
-- the ledger recorded them (`id`): the first not voided stands.
CREATE TABLE payment (
    id               BIGSERIAL PRIMARY KEY,
    campaign_id      TEXT NOT NULL REFERENCES campaign (id),
    beneficiary_key  BYTEA NOT NULL,
    -- the payment's name, which survives a restore (the id may not):
    -- 'issuance:ID', or 'online:ISSUER:PAID_AT' for the card companies'
    payment_ref      TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('center', 'nh', 'online')),
    terminal_id      TEXT REFERENCES terminal (id),
    issuance_id      TEXT REFERENCES issuance (id),
    verification     TEXT NOT NULL CHECK (verification IN ('online', 'offline')),
    site             TEXT NOT NULL,
    sigungu          TEXT NOT NULL,
    amount_krw       BIGINT NOT NULL CHECK (amount_krw > 0),
    paid_at          TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,
    UNIQUE (campaign_id, beneficiary_key, payment_ref),
    CHECK ((channel = 'online') = (issuance_id IS NULL)),
    CHECK ((terminal_id IS NULL) = (issuance_id IS NULL))
);

-- A counter's visit holds the people it claimed until the visit ends.
CREATE TABLE claim (
    campaign_id      TEXT NOT NULL,
    beneficiary_key  BYTEA NOT NULL,
    visit_id         TEXT NOT NULL,
    terminal_id      TEXT NOT NULL REFERENCES terminal (id),
    claimed_at       TEXT NOT NULL,
    lease_until      TEXT NOT NULL,
    PRIMARY KEY (campaign_id, beneficiary_key, visit_id)
);
CREATE INDEX claim_of_visit ON claim (visit_id, terminal_id);

-- How a visit ended: its issuance arrived, its counter said it ended
-- without a card, or an admin withdrew a lost terminal's claims. A claim
-- arriving for an ended visit is refused.
CREATE TABLE visit_end (
    visit_id     TEXT NOT NULL,
    terminal_id  TEXT NOT NULL REFERENCES terminal (id),
    outcome      TEXT NOT NULL CHECK (outcome IN ('issued', 'released', 'withdrawn')),
    ended_at     TEXT NOT NULL,
    reason       TEXT,
    -- a visit is its terminal's: no other can end it
    PRIMARY KEY (visit_id, terminal_id)
);

-- A supervisor's decision that both payments of a conflict stand.
CREATE TABLE acceptance (
    conflict_id  TEXT PRIMARY KEY REFERENCES conflict (id),
    terminal_id  TEXT REFERENCES terminal (id),
    note         TEXT NOT NULL,
    accepted_by  TEXT NOT NULL,
    accepted_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL
);

-- Both sides of a conflict by the payment's name; `standing` is the one
-- recorded first.
ALTER TABLE conflict ADD COLUMN standing_ref TEXT;
ALTER TABLE conflict ADD COLUMN other_ref TEXT;
UPDATE conflict SET
    standing_ref = CASE WHEN standing_issuance_id IS NULL
        THEN 'online:' || standing_site || ':' || standing_at ELSE 'issuance:' || standing_issuance_id END,
    other_ref = CASE WHEN other_issuance_id IS NULL
        THEN 'online:' || other_site || ':' || other_at ELSE 'issuance:' || other_issuance_id END;
INSERT INTO acceptance (conflict_id, terminal_id, note, accepted_by, accepted_at, received_at)
    SELECT id, NULL, coalesce(note, ''), '', coalesce(resolved_at, detected_at), coalesce(resolved_at, detected_at)
    FROM conflict WHERE status = 'accepted';

-- Each change's check value: after a restore from an earlier copy, a
-- feed id may name another change, and a terminal's cursor must say so.
ALTER TABLE feed ADD COLUMN token BIGINT NOT NULL DEFAULT 0;

-- The payments the first schema held, the one that stood first for each
-- person; online applications sent twice become one payment.
INSERT INTO payment (campaign_id, beneficiary_key, payment_ref, channel, terminal_id, issuance_id,
                     verification, site, sigungu, amount_krw, paid_at, recorded_at)
SELECT campaign_id, beneficiary_key, payment_ref, channel, terminal_id, issuance_id,
       verification, site, sigungu, amount_krw, paid_at, recorded_at
FROM (
    SELECT t.campaign_id, b.beneficiary_key, 'issuance:' || i.id AS payment_ref, t.site_type AS channel,
           t.id AS terminal_id, i.id AS issuance_id, i.verification, t.site_name AS site, b.sigungu,
           b.amount_krw, i.issued_at AS paid_at, i.received_at AS recorded_at,
           CASE WHEN EXISTS (SELECT 1 FROM entitlement e WHERE e.campaign_id = t.campaign_id
                  AND e.beneficiary_key = b.beneficiary_key AND e.issuance_id = i.id) THEN 0 ELSE 1 END AS later
    FROM issuance_beneficiary b JOIN issuance i ON i.id = b.issuance_id JOIN terminal t ON t.id = i.terminal_id
    UNION ALL
    SELECT o.campaign_id, o.beneficiary_key, 'online:' || o.issuer || ':' || o.paid_at, 'online',
           NULL, NULL, 'online', o.issuer, min(o.sigungu), min(o.amount_krw), o.paid_at, min(o.imported_at),
           CASE WHEN EXISTS (SELECT 1 FROM entitlement e WHERE e.campaign_id = o.campaign_id
                  AND e.beneficiary_key = o.beneficiary_key AND e.channel = 'online'
                  AND e.site = o.issuer AND e.at = o.paid_at) THEN 0 ELSE 1 END
    FROM online_payment o GROUP BY o.campaign_id, o.beneficiary_key, o.issuer, o.paid_at
) AS recorded
ORDER BY later, recorded_at, payment_ref;

-- What is worked out for each person. Live claims are not carried over:
-- the counters claim again after the upgrade.
CREATE TABLE entitlement_v2 (
    campaign_id      TEXT NOT NULL,
    beneficiary_key  BYTEA NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('unpaid', 'being_served', 'paid', 'in_conflict', 'accepted')),
    -- the payment that stands, and the first one not voided made by
    -- another payer: what the counters' deny-lists were last told
    standing_ref     TEXT,
    other_ref        TEXT,
    changed_at       TEXT NOT NULL,
    PRIMARY KEY (campaign_id, beneficiary_key)
);
INSERT INTO entitlement_v2 (campaign_id, beneficiary_key, state, standing_ref, other_ref, changed_at)
SELECT e.campaign_id, e.beneficiary_key,
       CASE WHEN EXISTS (SELECT 1 FROM conflict c WHERE c.campaign_id = e.campaign_id
                           AND c.beneficiary_key = e.beneficiary_key AND c.status = 'open') THEN 'in_conflict'
            WHEN EXISTS (SELECT 1 FROM conflict c WHERE c.campaign_id = e.campaign_id
                           AND c.beneficiary_key = e.beneficiary_key AND c.status = 'accepted') THEN 'accepted'
            ELSE 'paid' END,
       CASE WHEN e.issuance_id IS NULL THEN 'online:' || e.site || ':' || e.at ELSE 'issuance:' || e.issuance_id END,
       NULL, e.at
FROM entitlement e WHERE e.state = 'paid';
-- People whose every payment was voided had no row: every person with a
-- payment has one from here on.
INSERT INTO entitlement_v2 (campaign_id, beneficiary_key, state, standing_ref, other_ref, changed_at)
SELECT p.campaign_id, p.beneficiary_key, 'unpaid', NULL, NULL, min(p.recorded_at)
FROM payment p
WHERE NOT EXISTS (SELECT 1 FROM entitlement_v2 e WHERE e.campaign_id = p.campaign_id AND e.beneficiary_key = p.beneficiary_key)
GROUP BY p.campaign_id, p.beneficiary_key;
DROP TABLE entitlement;
ALTER TABLE entitlement_v2 RENAME TO entitlement;
DROP TABLE online_payment;

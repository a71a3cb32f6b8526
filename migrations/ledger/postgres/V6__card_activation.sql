-- Cards carry money only once the ledger says so (PostgreSQL dialect; keep
-- in step with ../sqlite). A card's activation is worked out from its
-- issuance's state by `relief-ledger/src/card`, in the transaction that
-- changed it; the card issuer reads what to do (activate, block) and
-- confirms it. See the README, "A card's activation".

-- Every card an issuance handed over, as the terminal sent it.
CREATE TABLE issuance_card (
    issuance_id     TEXT NOT NULL REFERENCES issuance (id),
    position        BIGINT NOT NULL CHECK (position >= 0),
    serial          TEXT NOT NULL CHECK (length(serial) BETWEEN 1 AND 32),
    amount_krw      BIGINT NOT NULL CHECK (amount_krw > 0),
    -- the most the card holds (none: a terminal older than this schema)
    face_value_krw  BIGINT CHECK (face_value_krw >= amount_krw),
    PRIMARY KEY (issuance_id, position)
);
CREATE INDEX issuance_card_by_serial ON issuance_card (serial, issuance_id);

-- Each card by serial: what the ledger worked out (`state`) and what the
-- card issuer confirmed (`issuer_state`).
CREATE TABLE card (
    serial          TEXT PRIMARY KEY,
    campaign_id     TEXT NOT NULL REFERENCES campaign (id),
    terminal_id     TEXT NOT NULL REFERENCES terminal (id),
    -- the first issuance that carried it, and what that issuance loaded
    issuance_id     TEXT NOT NULL REFERENCES issuance (id),
    amount_krw      BIGINT NOT NULL CHECK (amount_krw > 0),
    face_value_krw  BIGINT,
    state           TEXT NOT NULL CHECK (state IN ('to_activate', 'held', 'blocked')),
    issuer_state    TEXT NOT NULL DEFAULT 'none' CHECK (issuer_state IN ('none', 'active', 'blocked')),
    changed_at      TEXT NOT NULL
);

-- A blocked card stays blocked, and only a card to activate is activated:
-- the database refuses what the ledger's code would never write.
CREATE FUNCTION card_changes_allowed() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'blocked' AND NEW.state <> 'blocked' THEN
        RAISE EXCEPTION 'card.state: a blocked card stays blocked';
    END IF;
    IF NEW.issuer_state = 'active' AND OLD.issuer_state <> 'active' AND NEW.state <> 'to_activate' THEN
        RAISE EXCEPTION 'card.issuer_state: only a card to activate is activated';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER card_changes_allowed BEFORE UPDATE ON card
FOR EACH ROW EXECUTE FUNCTION card_changes_allowed();

-- What the card issuer is told, in order. Only a card's latest
-- instruction counts; one confirmed is not told again.
CREATE TABLE card_instruction (
    id          BIGSERIAL PRIMARY KEY,
    serial      TEXT NOT NULL REFERENCES card (serial),
    action      TEXT NOT NULL CHECK (action IN ('activate', 'block')),
    amount_krw  BIGINT CHECK ((action = 'activate') = (amount_krw IS NOT NULL)),
    at          TEXT NOT NULL,
    -- the card's, copied: the issuer is told it beside the amount
    face_value_krw  BIGINT,
    -- still to be done: not confirmed, and not overtaken by a later
    -- instruction (a block after an activation not yet confirmed). Kept
    -- as a column, so that the issuer's page is one index range however
    -- stale the planner's statistics are after a day of inserts.
    pending     BIGINT NOT NULL DEFAULT 1 CHECK (pending IN (0, 1)),
    -- at most one of each: a card is activated once, blocked once
    UNIQUE (serial, action)
);
CREATE INDEX card_instruction_by_day ON card_instruction (at);
CREATE INDEX card_instruction_pending ON card_instruction (id) WHERE pending = 1;

-- The issuer's confirmations, one per card and action.
CREATE TABLE card_ack (
    serial          TEXT NOT NULL REFERENCES card (serial),
    action          TEXT NOT NULL CHECK (action IN ('activate', 'block')),
    instruction_id  BIGINT NOT NULL REFERENCES card_instruction (id),
    acked_at        TEXT NOT NULL,
    PRIMARY KEY (serial, action)
);

-- A payment in an open conflict with the one that stands is held: its
-- issuance's cards are not to be activated.
ALTER TABLE payment ADD COLUMN held BIGINT NOT NULL DEFAULT 0 CHECK (held IN (0, 1));
UPDATE payment SET held = 1 WHERE EXISTS (
    SELECT 1 FROM conflict c WHERE c.status = 'open' AND c.campaign_id = payment.campaign_id
       AND c.beneficiary_key = payment.beneficiary_key AND c.other_ref = payment.payment_ref);

-- The card issuer calls the API with a credential of its own.
ALTER TABLE admin_token ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'card_issuer'));

-- The feed also tells each terminal what became of its cards.
ALTER TABLE feed DROP CONSTRAINT feed_kind_check;
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind IN ('paid', 'released', 'conflict', 'card'));
ALTER TABLE feed ADD COLUMN serial TEXT;
ALTER TABLE feed ADD COLUMN activation TEXT CHECK (activation IN ('to_activate', 'held', 'blocked', 'active'));
CREATE INDEX feed_card ON feed (terminal_a, id) WHERE kind = 'card';

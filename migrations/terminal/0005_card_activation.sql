-- Cards carry money only once the ledger says so (README, "A card's
-- activation"). The terminal keeps what the ledger last said of each card
-- it handed over; a card the ledger has not spoken of is waiting. No
-- foreign key: what the ledger says is kept even of a serial this store
-- does not hold (a terminal restored from an old copy), not refused.
CREATE TABLE card_activation (
    serial      TEXT PRIMARY KEY,
    activation  TEXT NOT NULL CHECK (activation IN ('to_activate', 'held', 'blocked', 'active')),
    pulled_at   TEXT NOT NULL
) WITHOUT ROWID;

-- A card returned with a void goes back to the card issuer blocked: the
-- ledger never lets it carry money again, so the counter no longer hands
-- it over, and may only write it off as damaged (not lost: a lost card
-- found again goes back into stock).
DROP TRIGGER card_event_transition;
CREATE TRIGGER card_event_transition BEFORE INSERT ON card_event
WHEN NOT (
    SELECT CASE
        WHEN prev IS NULL THEN NEW.state = 'in_stock' AND NEW.cause = 'receive'
        WHEN prev = 'in_stock' THEN
            (NEW.state = 'issued' AND NEW.cause = 'issue')
            OR (NEW.state IN ('damaged', 'lost') AND NEW.cause = 'adjust')
        WHEN prev = 'returned' THEN NEW.state = 'damaged' AND NEW.cause = 'adjust'
        WHEN prev = 'issued' THEN NEW.state IN ('returned', 'damaged') AND NEW.cause = 'void'
        WHEN prev = 'lost' THEN NEW.state = 'in_stock' AND NEW.cause = 'adjust'
        ELSE 0
    END
    FROM (SELECT (SELECT state FROM card_event WHERE serial = NEW.serial ORDER BY id DESC LIMIT 1) AS prev)
)
BEGIN
    SELECT RAISE(ABORT, 'card_state_transition');
END;

DROP TRIGGER issuance_card_in_stock;
CREATE TRIGGER issuance_card_in_stock BEFORE INSERT ON issuance_card
WHEN coalesce((SELECT state FROM card_event WHERE serial = NEW.serial ORDER BY id DESC LIMIT 1), 'unknown')
     IS NOT 'in_stock'
BEGIN
    SELECT RAISE(ABORT, 'card_not_in_stock');
END;

-- Every column that holds a code of one of the domain's closed sets takes
-- only that set's codes, as the first schema already did for some of them:
-- the database refuses what the ledger's code would refuse to read back.
-- SQLite cannot add a CHECK to a table it has, so triggers do the same
-- on every insert and on every update of the column.

CREATE TRIGGER terminal_site_type_known_insert BEFORE INSERT ON terminal
WHEN NEW.site_type NOT IN ('center', 'nh')
BEGIN SELECT RAISE(ABORT, 'terminal.site_type: unknown code'); END;

CREATE TRIGGER terminal_site_type_known_update BEFORE UPDATE OF site_type ON terminal
WHEN NEW.site_type NOT IN ('center', 'nh')
BEGIN SELECT RAISE(ABORT, 'terminal.site_type: unknown code'); END;

CREATE TRIGGER event_kind_known_insert BEFORE INSERT ON event
WHEN NEW.kind NOT IN ('issuance', 'void', 'resolution', 'visit_ended')
BEGIN SELECT RAISE(ABORT, 'event.kind: unknown code'); END;

CREATE TRIGGER event_kind_known_update BEFORE UPDATE OF kind ON event
WHEN NEW.kind NOT IN ('issuance', 'void', 'resolution', 'visit_ended')
BEGIN SELECT RAISE(ABORT, 'event.kind: unknown code'); END;

CREATE TRIGGER issuance_verification_known_insert BEFORE INSERT ON issuance
WHEN NEW.verification NOT IN ('online', 'offline')
BEGIN SELECT RAISE(ABORT, 'issuance.verification: unknown code'); END;

CREATE TRIGGER issuance_verification_known_update BEFORE UPDATE OF verification ON issuance
WHEN NEW.verification NOT IN ('online', 'offline')
BEGIN SELECT RAISE(ABORT, 'issuance.verification: unknown code'); END;

CREATE TRIGGER void_card_disposition_known_insert BEFORE INSERT ON void
WHEN NEW.card_disposition NOT IN ('returned', 'destroyed')
BEGIN SELECT RAISE(ABORT, 'void.card_disposition: unknown code'); END;

CREATE TRIGGER void_card_disposition_known_update BEFORE UPDATE OF card_disposition ON void
WHEN NEW.card_disposition NOT IN ('returned', 'destroyed')
BEGIN SELECT RAISE(ABORT, 'void.card_disposition: unknown code'); END;

CREATE TRIGGER conflict_standing_channel_known_insert BEFORE INSERT ON conflict
WHEN NEW.standing_channel NOT IN ('center', 'nh', 'online')
BEGIN SELECT RAISE(ABORT, 'conflict.standing_channel: unknown code'); END;

CREATE TRIGGER conflict_standing_channel_known_update BEFORE UPDATE OF standing_channel ON conflict
WHEN NEW.standing_channel NOT IN ('center', 'nh', 'online')
BEGIN SELECT RAISE(ABORT, 'conflict.standing_channel: unknown code'); END;

CREATE TRIGGER conflict_other_channel_known_insert BEFORE INSERT ON conflict
WHEN NEW.other_channel NOT IN ('center', 'nh', 'online')
BEGIN SELECT RAISE(ABORT, 'conflict.other_channel: unknown code'); END;

CREATE TRIGGER conflict_other_channel_known_update BEFORE UPDATE OF other_channel ON conflict
WHEN NEW.other_channel NOT IN ('center', 'nh', 'online')
BEGIN SELECT RAISE(ABORT, 'conflict.other_channel: unknown code'); END;

CREATE TRIGGER feed_channel_known_insert BEFORE INSERT ON feed
WHEN NEW.channel IS NOT NULL AND NEW.channel NOT IN ('center', 'nh', 'online')
BEGIN SELECT RAISE(ABORT, 'feed.channel: unknown code'); END;

CREATE TRIGGER feed_channel_known_update BEFORE UPDATE OF channel ON feed
WHEN NEW.channel IS NOT NULL AND NEW.channel NOT IN ('center', 'nh', 'online')
BEGIN SELECT RAISE(ABORT, 'feed.channel: unknown code'); END;

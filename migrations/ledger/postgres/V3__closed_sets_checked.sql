-- Every column that holds a code of one of the domain's closed sets takes
-- only that set's codes, as the first schema already did for some of them:
-- the database refuses what the ledger's code would refuse to read back.

ALTER TABLE terminal ADD CONSTRAINT terminal_site_type_known CHECK (site_type IN ('center', 'nh'));
ALTER TABLE event ADD CONSTRAINT event_kind_known CHECK (kind IN ('issuance', 'void', 'resolution', 'visit_ended'));
ALTER TABLE issuance ADD CONSTRAINT issuance_verification_known CHECK (verification IN ('online', 'offline'));
ALTER TABLE void ADD CONSTRAINT void_card_disposition_known CHECK (card_disposition IN ('returned', 'destroyed'));
ALTER TABLE conflict ADD CONSTRAINT conflict_standing_channel_known CHECK (standing_channel IN ('center', 'nh', 'online'));
ALTER TABLE conflict ADD CONSTRAINT conflict_other_channel_known CHECK (other_channel IN ('center', 'nh', 'online'));
ALTER TABLE feed ADD CONSTRAINT feed_channel_known CHECK (channel IN ('center', 'nh', 'online'));

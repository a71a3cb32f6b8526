//! Every statement the ledger runs outside a person's rows, typed, an
//! aggregate to a file. Written once for both dialects. Re-exported here,
//! so that a caller names the statement, not the file it lives in.

mod campaigns;
mod cards;
mod closes;
mod events;
mod feed;
mod issuances;
mod keys;
mod purge;
mod roll;
mod summary;
mod terminals;

pub use campaigns::{
    CampaignRow, PolicyRow, campaign, campaign_ids, current_policy, insert_campaign, insert_policy,
};
pub use cards::{
    CardRow, Carrier, InstructionRow, NewCard, NewInstruction, NewIssuanceCard, ack, acked, card,
    card_counts, cards_of_issuance, carriers, insert_card, insert_cards, insert_instruction,
    insert_instructions, insert_issuance_cards, instruction_head, instruction_of, instruction_page,
    instructions_of_day, lock_card, set_card_state, set_issuer_state, withdraw_activation,
};
pub use closes::{CloseRow, NewClose, NewReopen, closes_of_day, insert_close, insert_reopen};
pub use events::{NewEvent, StoredEvent, event, insert_event, set_event_verdict};
pub use feed::{
    ConflictChange, DenyRow, FeedHead, FeedPaid, FeedRows, card_page, conflict_page, deny_page,
    feed_head, feed_row_token, feed_token,
};
pub use issuances::{
    NewIssuance, NewIssuanceBeneficiary, insert_issuance, insert_issuance_beneficiary, insert_void,
    is_voided, issuance_terminal,
};
pub use keys::{insert_admin_token, insert_signing_key, signing_key, token_role};
pub use purge::{PURGED_TABLES, PurgeCounts, purge_campaign};
pub use roll::{
    NewHousehold, RollDownloadRow, RollEntry, RollPerson, RollPlace, RollSpan, RollVersion,
    complete_roll_version, complete_roll_version_of, household_serials, household_size,
    insert_households, last_household_serial, reserve_roll_version, roll_download_page,
    roll_download_size, roll_person, roll_version_of_file, upsert_roll,
};
pub use summary::{SiteConflicts, SummaryRow, conflicts_detected_between, day_summary};
pub use terminals::{
    RedeemedCode, SiteRow, TerminalRow, advance_seq, hold_terminal, insert_enrollment_code,
    insert_terminal, redeem_enrollment_code, terminal, terminal_by_token,
};

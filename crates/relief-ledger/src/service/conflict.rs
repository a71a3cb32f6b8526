//! Two payments for one person. The first recorded stands; nothing is
//! overwritten, and the terminals on both sides are told through the feed.

use uuid::Uuid;

use super::Result;
use crate::storage::Db;
use crate::storage::queries::{self, ConflictRow, EntitlementRow, Side};

/// Records that `other` came after the payment `standing` for `key`.
pub(crate) fn record(
    db: &mut dyn Db,
    campaign: &str,
    key: &[u8],
    standing: &EntitlementRow,
    other: Side,
    now: &str,
) -> Result<ConflictRow> {
    let conflict = ConflictRow {
        id: Uuid::now_v7().to_string(),
        campaign_id: campaign.to_owned(),
        key: key.to_vec(),
        standing: Side::standing(standing),
        other,
        detected_at: now.to_owned(),
        status: "open".into(),
        note: None,
    };
    queries::insert_conflict(db, &conflict)?;
    queries::feed_conflict(
        db,
        campaign,
        &conflict.id,
        standing.terminal_id.as_deref(),
        conflict.other.terminal_id.as_deref(),
    )?;
    Ok(conflict)
}

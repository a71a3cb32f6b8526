//! Pull: what changed after a cursor, for one terminal. Keys paid or
//! released in its 시군 by anyone else, the conflicts it is part of, what
//! became of its own cards, and
//! the campaign's policy when the terminal's is older. A cursor that is
//! not in the feed (the ledger was restored from an earlier copy) starts
//! the terminal over from the beginning.

use relief_protocol::{
    CardChange, ConflictView, DenyChange, FeedCursor, MAX_PULL_LIMIT, PaidRecord, PaymentRef,
    PullResponse,
};

use super::{Ledger, Result, ServiceError, parse_ts};
use crate::storage::persons::{self, ConflictRow, Side};
use crate::storage::queries::{self, DenyRow, FeedHead, TerminalRow};
use crate::storage::{Db, Storage, column_error};

fn payment(side: &Side) -> Result<PaymentRef> {
    Ok(PaymentRef {
        issuance_id: side.issuance_id.clone(),
        terminal_id: side.terminal_id.clone(),
        paid: PaidRecord {
            channel: side.channel,
            site: side.site.clone(),
            at: parse_ts(&side.at)?,
        },
    })
}

pub fn view(c: &ConflictRow) -> Result<ConflictView> {
    Ok(ConflictView {
        id: c.id.clone(),
        beneficiary_key: hex::encode(&c.key),
        standing: payment(&c.standing)?,
        other: payment(&c.other)?,
        detected_at: parse_ts(&c.detected_at)?,
        status: c.status,
        note: c.note.clone(),
    })
}

/// A feed row as the counters' deny-lists take it. A payment's row says
/// how, where and when it was made: one without is corrupt, not a payment
/// of 1970 at no site.
fn deny_change(r: DenyRow) -> Result<DenyChange> {
    let key = hex::encode(&r.key);
    if !r.paid {
        return Ok(DenyChange::Released { key });
    }
    let missing = |column| column_error(column, "지급 행에 없음");
    let channel = r.channel.ok_or_else(|| missing("channel"))?;
    let channel = channel
        .parse()
        .map_err(|_| column_error("channel", &channel))?;
    let site = r.site.ok_or_else(|| missing("site"))?;
    let at = parse_ts(r.at.as_deref().ok_or_else(|| missing("at"))?)?;
    Ok(DenyChange::Paid {
        key,
        paid: PaidRecord { channel, site, at },
    })
}

/// Whether the feed still holds the change a cursor points at.
fn in_feed(db: &mut dyn Db, cursor: FeedCursor) -> Result<bool> {
    if cursor == FeedCursor::START {
        return Ok(true);
    }
    let Ok(id) = i64::try_from(cursor.id) else {
        return Ok(false);
    };
    Ok(queries::feed_row_token(db, id)? == Some(cursor.check as i64))
}

impl<S: Storage> Ledger<S> {
    pub fn pull(
        &self,
        terminal: &TerminalRow,
        cursor: FeedCursor,
        limit: u32,
        policy_version: Option<&str>,
    ) -> Result<PullResponse> {
        if limit == 0 || limit > MAX_PULL_LIMIT {
            return Err(ServiceError::bad(
                "invalid_limit",
                format!("limit은 1부터 {MAX_PULL_LIMIT}까지입니다 (받은 값: {limit})"),
            ));
        }
        self.storage.read(|db| -> Result<PullResponse> {
            let reset = !in_feed(db, cursor)?;
            if reset {
                tracing::warn!(terminal = %terminal.id, %cursor, "a cursor the feed does not hold: the terminal starts over");
            }
            let after = if reset { 0 } else { cursor.id as i64 };
            let head = queries::feed_head(db)?;
            let rows = queries::deny_page(
                db,
                &terminal.campaign_id,
                &terminal.sigungu,
                &terminal.id,
                after,
                i64::from(limit),
            )?;
            // A full page ends at its last row; otherwise everything up to
            // the head has been seen.
            let upper = match rows.last() {
                Some(last) if rows.len() == limit as usize => FeedHead {
                    id: last.id,
                    token: last.token,
                },
                _ => head,
            };
            let deny = rows
                .into_iter()
                .map(deny_change)
                .collect::<Result<Vec<_>>>()?;
            let mut ids: Vec<String> = queries::conflict_page(db, &terminal.id, after, upper.id)?
                .into_iter()
                .map(|change| change.conflict_id)
                .collect();
            ids.sort();
            ids.dedup();
            let mut conflicts = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(row) = persons::conflict(db, &id)? {
                    conflicts.push(view(&row)?);
                }
            }
            let cards = queries::card_page(db, &terminal.id, after, upper.id)?
                .into_iter()
                .map(|(serial, activation)| CardChange { serial, activation })
                .collect();
            let (signed, _) = self.current_policy(db, &terminal.campaign_id)?;
            let policy = (policy_version != Some(signed.version.as_str())).then_some(signed);
            let next_seq = queries::terminal(db, &terminal.id)?.map_or(1, |t| t.next_seq);
            Ok(PullResponse {
                deny,
                conflicts,
                cards,
                policy,
                next_cursor: FeedCursor {
                    id: upper.id as u64,
                    check: upper.token as u64,
                },
                more: upper.id < head.id,
                reset,
                next_seq: next_seq as u64,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::StorageError;

    fn paid() -> DenyRow {
        DenyRow {
            id: 1,
            token: 7,
            paid: true,
            key: vec![0xAB; 32],
            channel: Some(relief_core::Channel::Center.code().into()),
            site: Some("수원시청".into()),
            at: Some("2020-05-18T09:05:07".into()),
        }
    }

    #[test]
    fn a_paid_row_says_how_where_and_when() {
        let DenyChange::Paid { paid, .. } = deny_change(paid()).unwrap() else {
            panic!("a payment");
        };
        assert_eq!(paid.site, "수원시청");
        assert_eq!(paid.at.to_string(), "2020-05-18 09:05:07");
    }

    #[test]
    fn a_paid_row_without_them_is_corrupt() {
        for (column, row) in [
            (
                "channel",
                DenyRow {
                    channel: None,
                    ..paid()
                },
            ),
            (
                "site",
                DenyRow {
                    site: None,
                    ..paid()
                },
            ),
            ("at", DenyRow { at: None, ..paid() }),
            (
                "channel",
                DenyRow {
                    channel: Some("pigeon".into()),
                    ..paid()
                },
            ),
        ] {
            match deny_change(row) {
                Err(ServiceError::Storage(StorageError::Column { column: named, .. })) => {
                    assert_eq!(named, column)
                }
                other => panic!("{column}: {other:?}"),
            }
        }
        let bad_time = DenyRow {
            at: Some("yesterday".into()),
            ..paid()
        };
        assert!(matches!(
            deny_change(bad_time),
            Err(ServiceError::Storage(StorageError::Corrupt(_)))
        ));
        // A release needs none of them.
        let released = DenyRow {
            paid: false,
            channel: None,
            site: None,
            at: None,
            ..paid()
        };
        assert!(matches!(
            deny_change(released),
            Ok(DenyChange::Released { .. })
        ));
    }
}

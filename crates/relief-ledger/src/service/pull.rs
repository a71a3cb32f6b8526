//! Pull: what changed after a cursor, for one terminal. Keys paid or
//! released in its 시군 by anyone else, the conflicts it is part of, and
//! the campaign's policy when the terminal's is older.

use relief_protocol::{
    ConflictStatus, ConflictView, DenyChange, MAX_PULL_LIMIT, PaidRecord, PaymentRef, PullResponse,
};

use super::{Ledger, Result, ServiceError, parse_ts};
use crate::storage::queries::{self, ConflictRow, Side, TerminalRow};
use crate::storage::{Storage, StorageError};

fn payment(side: &Side) -> PaymentRef {
    PaymentRef {
        issuance_id: side.issuance_id.clone(),
        terminal_id: side.terminal_id.clone(),
        paid: PaidRecord {
            channel: side.channel.clone(),
            site: side.site.clone(),
            at: parse_ts(&side.at),
        },
    }
}

pub fn view(c: &ConflictRow) -> Result<ConflictView> {
    Ok(ConflictView {
        id: c.id.clone(),
        beneficiary_key: hex::encode(&c.key),
        standing: payment(&c.standing),
        other: payment(&c.other),
        detected_at: parse_ts(&c.detected_at),
        status: match c.status.as_str() {
            "open" => ConflictStatus::Open,
            "resolved_by_void" => ConflictStatus::ResolvedByVoid,
            "accepted" => ConflictStatus::Accepted,
            other => return Err(StorageError::Config(format!("충돌 상태 {other:?}")).into()),
        },
        note: c.note.clone(),
    })
}

impl<S: Storage> Ledger<S> {
    pub fn pull(
        &self,
        terminal: &TerminalRow,
        cursor: u64,
        limit: u32,
        policy_version: Option<&str>,
    ) -> Result<PullResponse> {
        if limit == 0 || limit > MAX_PULL_LIMIT {
            return Err(ServiceError::bad(
                "invalid_limit",
                format!("limit은 1부터 {MAX_PULL_LIMIT}까지입니다 (받은 값: {limit})"),
            ));
        }
        let cursor = i64::try_from(cursor)
            .map_err(|_| ServiceError::bad("invalid_cursor", "cursor가 너무 큽니다"))?;
        self.storage.transaction(|db| -> Result<PullResponse> {
            let head = queries::feed_head(db)?;
            let rows = queries::deny_page(
                db,
                &terminal.campaign_id,
                &terminal.sigungu,
                &terminal.id,
                cursor,
                i64::from(limit),
            )?;
            // A full page ends at its last row; otherwise everything up to
            // the head has been seen.
            let upper = if rows.len() == limit as usize {
                rows.last().map_or(head, |r| r.id)
            } else {
                head.max(cursor)
            };
            let deny = rows
                .into_iter()
                .map(|r| {
                    let key = hex::encode(&r.key);
                    if r.paid {
                        DenyChange::Paid {
                            key,
                            paid: PaidRecord {
                                channel: r.channel.unwrap_or_default(),
                                site: r.site.unwrap_or_default(),
                                at: parse_ts(r.at.as_deref().unwrap_or_default()),
                            },
                        }
                    } else {
                        DenyChange::Released { key }
                    }
                })
                .collect();
            let mut ids: Vec<String> = queries::conflict_page(db, &terminal.id, cursor, upper)?
                .into_iter()
                .map(|(_, id)| id)
                .collect();
            ids.dedup();
            ids.sort();
            ids.dedup();
            let mut conflicts = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(row) = queries::conflict(db, &id)? {
                    conflicts.push(view(&row)?);
                }
            }
            let (signed, _) = self.current_policy(db, &terminal.campaign_id)?;
            let policy = (policy_version != Some(signed.version.as_str())).then_some(signed);
            Ok(PullResponse {
                deny,
                conflicts,
                policy,
                next_cursor: upper as u64,
                more: upper < head,
            })
        })
    }
}

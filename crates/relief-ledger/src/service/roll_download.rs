//! The roll as a terminal downloads it: the people of its 시군, in signed
//! pages, then whatever changed after the version it holds.

use relief_protocol::{MAX_ROLL_LIMIT, RollCursor, RollMember, RollPage};

use super::{Ledger, Result, ServiceError};
use crate::storage::Storage;
use crate::storage::queries::{self, RollDownloadRow, RollPlace, RollSpan, TerminalRow};

fn member(row: RollDownloadRow) -> RollMember {
    RollMember {
        key: hex::encode(&row.beneficiary_key),
        household: row.household_serial as u64,
        masked: row.masked,
        sigungu: row.sigungu,
        eupmyeondong: row.eupmyeondong,
        status: row.status,
    }
}

impl<S: Storage> Ledger<S> {
    /// One page of `terminal`'s download from version `from` to `upto`
    /// (the last complete version when not given: the first page fixes
    /// it, and the terminal asks the rest of the way with it).
    pub fn roll_page(
        &self,
        terminal: &TerminalRow,
        from: u64,
        upto: Option<u64>,
        after: &RollCursor,
        limit: u32,
    ) -> Result<RollPage> {
        if limit == 0 || limit > MAX_ROLL_LIMIT {
            return Err(ServiceError::bad(
                "invalid_limit",
                format!("limit은 1부터 {MAX_ROLL_LIMIT}까지입니다 (받은 값: {limit})"),
            ));
        }
        let campaign = &terminal.campaign_id;
        let (people, upto, total) = self
            .storage
            .read(|db| -> Result<(Vec<RollDownloadRow>, u64, Option<u64>)> {
            let complete = queries::complete_roll_version_of(db, campaign)? as u64;
            let upto = upto.unwrap_or(complete);
            if upto > complete || from > upto {
                return Err(ServiceError::bad(
                    "invalid_roll_version",
                    format!(
                        "명부 버전은 from ≤ upto ≤ {complete}이어야 합니다 (받은 값: from {from}, upto {upto})"
                    ),
                ));
            }
            let key = after.key_bytes();
            let span = RollSpan {
                campaign,
                sigungu: &terminal.sigungu,
                from: from as i64,
                upto: upto as i64,
            };
            let place = RollPlace {
                household_serial: after.household as i64,
                beneficiary_key: &key,
            };
            let page = queries::roll_download_page(db, span, place, i64::from(limit) + 1)?;
            // The first page says how many the whole download brings.
            let total = if after == &RollCursor::start() {
                Some(queries::roll_download_size(db, span)? as u64)
            } else {
                None
            };
            Ok((page, upto, total))
        })?;
        let mut people: Vec<RollMember> = people.into_iter().map(member).collect();
        // One more than asked tells whether a next page holds anything.
        let next = (people.len() > limit as usize).then(|| {
            people.truncate(limit as usize);
            let last = people.last().expect("limit is at least 1");
            RollCursor {
                household: last.household,
                key: last.key.clone(),
            }
        });
        Ok(RollPage {
            campaign_id: campaign.clone(),
            sigungu: terminal.sigungu.clone(),
            from_version: from,
            upto_version: upto,
            after: after.clone(),
            total,
            people,
            next,
            signature: String::new(),
        }
        .signed(&self.signing))
    }
}

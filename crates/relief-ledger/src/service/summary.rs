//! The province's view of a day: per 시군 and per site, issuances and
//! amounts, the offline share, voids and conflicts; the day's cards by
//! activation.

use chrono::NaiveDate;
use relief_report::summary::{ProvinceSummary, SiteLine};
use serde::Serialize;

use relief_protocol::CardActivation;

use super::{Ledger, Result, parse_ts, ts};
use crate::card::activation;
use crate::storage::{Storage, queries};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteDay {
    pub sigungu: String,
    pub sigungu_name: String,
    pub site_code: String,
    pub site_name: String,
    pub issuances: i64,
    pub offline: i64,
    pub beneficiaries: i64,
    pub amount_krw: i64,
    pub voided: i64,
    pub conflicts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaySummary {
    pub campaign_id: String,
    pub date: NaiveDate,
    pub sites: Vec<SiteDay>,
    /// The cards the day's issuances handed over, by activation, as of now.
    pub cards: CardCounts,
    /// Each counter's closes of the day (reopened ones too), by site.
    pub closes: Vec<SiteClose>,
}

/// A counter's close of the day, as its terminal reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteClose {
    pub site_code: String,
    pub site_name: String,
    pub closed_at: chrono::NaiveDateTime,
    pub closed_by: String,
    /// Cards counted less cards the books held: short below 0.
    pub difference: i64,
    pub reason: String,
    pub unsent: i64,
    pub report_sha256: String,
    pub reopened_at: Option<chrono::NaiveDateTime>,
}

/// Cards by what the ledger and the card issuer made of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CardCounts {
    /// To be loaded and activated by the issuer.
    pub to_activate: i64,
    /// Activated by the issuer.
    pub active: i64,
    /// In an open conflict: empty.
    pub held: i64,
    /// Never to carry money.
    pub blocked: i64,
}

impl CardCounts {
    fn add(&mut self, activation: CardActivation, n: i64) {
        match activation {
            CardActivation::ToActivate | CardActivation::Waiting => self.to_activate += n,
            CardActivation::Active => self.active += n,
            CardActivation::Held => self.held += n,
            CardActivation::Blocked => self.blocked += n,
        }
    }
}

impl DaySummary {
    /// The province's summary as the report renders it.
    pub fn to_report(
        &self,
        campaign: &str,
        generated_at: chrono::NaiveDateTime,
    ) -> ProvinceSummary {
        ProvinceSummary {
            campaign: campaign.to_owned(),
            date: self.date,
            generated_at,
            sites: self
                .sites
                .iter()
                .map(|s| SiteLine {
                    sigungu: s.sigungu.clone(),
                    sigungu_name: s.sigungu_name.clone(),
                    site_code: s.site_code.clone(),
                    site_name: s.site_name.clone(),
                    issuances: s.issuances as u64,
                    offline: s.offline as u64,
                    beneficiaries: s.beneficiaries as u64,
                    amount: s.amount_krw as u64,
                    voided: s.voided as u64,
                    conflicts: s.conflicts as u64,
                })
                .collect(),
            cards: [
                (CardActivation::ToActivate, self.cards.to_activate),
                (CardActivation::Active, self.cards.active),
                (CardActivation::Held, self.cards.held),
                (CardActivation::Blocked, self.cards.blocked),
            ]
            .map(|(state, n)| (state.label().to_owned(), n as u64))
            .to_vec(),
            closes: self
                .closes
                .iter()
                .map(|c| relief_report::summary::SiteClose {
                    site_code: c.site_code.clone(),
                    site_name: c.site_name.clone(),
                    closed_at: c.closed_at,
                    closed_by: c.closed_by.clone(),
                    difference: c.difference,
                    reason: c.reason.clone(),
                    unsent: c.unsent as u64,
                    report_sha256: c.report_sha256.clone(),
                    reopened_at: c.reopened_at,
                })
                .collect(),
        }
    }
}

impl<S: Storage> Ledger<S> {
    pub fn day_summary(&self, campaign_id: Option<&str>, date: NaiveDate) -> Result<DaySummary> {
        let start = ts(date.and_hms_opt(0, 0, 0).expect("midnight"));
        let end = ts(date
            .succ_opt()
            .expect("far from the end")
            .and_hms_opt(0, 0, 0)
            .expect("midnight"));
        self.storage.read(|db| -> Result<DaySummary> {
            let campaign_id = Self::campaign_or_only(db, campaign_id)?;
            let (_, policy) = self.current_policy(db, &campaign_id)?;
            let conflicts = queries::conflicts_detected_between(db, &campaign_id, &start, &end)?;
            let sites = queries::day_summary(db, &campaign_id, &start, &end)?
                .into_iter()
                .map(|r| SiteDay {
                    sigungu_name: r
                        .sigungu
                        .parse()
                        .ok()
                        .and_then(|code| policy.region_name(code))
                        .unwrap_or_default()
                        .to_owned(),
                    conflicts: conflicts
                        .iter()
                        .find(|c| c.site_code == r.site_code)
                        .map_or(0, |c| c.conflicts),
                    sigungu: r.sigungu,
                    site_code: r.site_code,
                    site_name: r.site_name,
                    issuances: r.issuances,
                    offline: r.offline,
                    beneficiaries: r.beneficiaries,
                    amount_krw: r.amount_krw,
                    voided: r.voided,
                })
                .collect();
            let mut cards = CardCounts::default();
            for (state, issuer, n) in queries::card_counts(db, &campaign_id, &start, &end)? {
                cards.add(activation(state, issuer), n);
            }
            let closes = queries::closes_of_day(db, &campaign_id, &date.to_string())?
                .into_iter()
                .map(|c| {
                    Ok(SiteClose {
                        closed_at: parse_ts(&c.closed_at)?,
                        reopened_at: c.reopened_at.as_deref().map(parse_ts).transpose()?,
                        site_code: c.site_code,
                        site_name: c.site_name,
                        closed_by: c.closed_by,
                        difference: c.difference,
                        reason: c.reason,
                        unsent: c.unsent,
                        report_sha256: c.report_sha256,
                    })
                })
                .collect::<Result<_>>()?;
            Ok(DaySummary {
                campaign_id,
                date,
                sites,
                cards,
                closes,
            })
        })
    }
}

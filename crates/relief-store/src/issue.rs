//! Issuing cards: every rule from relief-core checked first, then one
//! transaction that writes the issuance, its cards, the outbox event and
//! the audit entry, or nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use relief_core::amount::entitlement;
use relief_core::card;
use relief_core::eligibility::{self, Verdict, Visit, Visitor};
use relief_core::identity::{BeneficiaryKey, IdentityNumber};
use relief_core::policy::{BirthYearOf, OfflineMode, Policy};
use relief_core::proxy::{self, Collection, IdDocument, Relation};
use relief_core::{HouseholdSize, Krw, Sigungu};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::clerk::Session;
use crate::deny::Paid;
use crate::error::{Error, Result};
use crate::outbox;
use crate::stock::{self, check_serial};
use crate::{Store, deny, snapshot, time, visit};
use relief_protocol::{BeneficiaryPaid, CardLoaded, IssuancePayload};

/// The person at the counter.
pub struct Applicant {
    pub id: IdentityNumber,
    pub name: String,
    pub id_document: IdDocument,
}

/// One person (or, for a household campaign, household) to be paid.
pub struct BeneficiaryRequest {
    pub id: IdentityNumber,
    pub name: String,
    /// The applicant's relation to this beneficiary.
    pub relation: Relation,
    pub household_size: HouseholdSize,
    pub resident_sigungu: Sigungu,
}

/// How the payment was checked against the rest of the province.
#[derive(Debug, Clone)]
pub enum Verification {
    /// The ledger granted the claim for every beneficiary.
    Online,
    /// The ledger could not be reached; the policy's offline mode decides,
    /// and may want a supervisor's approval.
    Offline { approver: Option<Session> },
}

pub struct IssueRequest {
    pub applicant: Applicant,
    pub beneficiaries: Vec<BeneficiaryRequest>,
    /// As scanned, in order.
    pub card_serials: Vec<String>,
    pub verification: Verification,
    /// Every member of the household is a minor (they may apply for themselves).
    pub household_of_minors: bool,
    /// The visit whose claims protect this issuance, if it asked the
    /// ledger ([`Store::open_visit`]): the issuance closes it, and a visit
    /// already ended cannot issue.
    pub visit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedCard {
    pub serial: String,
    pub amount: Krw,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issued {
    pub issuance_id: String,
    pub outbox_seq: i64,
    pub issued_at: NaiveDateTime,
    pub total: Krw,
    pub cards: Vec<IssuedCard>,
    pub beneficiaries: Vec<String>,
    pub offline: bool,
}

/// A beneficiary once every rule has passed.
struct Checked {
    key: BeneficiaryKey,
    masked: String,
    name: String,
    relation: Relation,
    household_size: HouseholdSize,
    sigungu: Sigungu,
    shares: Vec<(String, Krw)>,
}

/// What an issuance will be, once every rule has passed.
struct Plan {
    beneficiaries: Vec<Checked>,
    total: Krw,
    amounts: Vec<Krw>,
    window: String,
}

impl Store {
    /// Every rule, and the duplicate and stock checks, without writing:
    /// what `issue` would refuse now, asked before the ledger is. (The
    /// offline mode is not checked: whether the ledger answers is not yet
    /// known.)
    pub fn check_issue(&self, request: &IssueRequest, at: NaiveDateTime) -> Result<()> {
        let plan = self.plan(request, at)?;
        for b in &plan.beneficiaries {
            refuse_if_paid(&self.conn, &self.policy.campaign.id, b)?;
        }
        load_cards(&self.conn, &request.card_serials, &plan.amounts)?;
        Ok(())
    }

    /// Issues cards to the beneficiaries of one visit.
    pub fn issue(
        &mut self,
        clerk: &Session,
        request: IssueRequest,
        at: NaiveDateTime,
    ) -> Result<Issued> {
        let plan = self.plan(&request, at)?;
        let policy = &self.policy;
        let offline = match &request.verification {
            Verification::Online => false,
            Verification::Offline { approver } => {
                match policy.campaign.offline_mode {
                    OfflineMode::Allow => {}
                    OfflineMode::Refuse => return Err(Error::OfflineRefused),
                    OfflineMode::Supervisor => approver
                        .as_ref()
                        .ok_or(Error::OfflineNeedsSupervisor)?
                        .require_supervisor()?,
                }
                true
            }
        };
        let approver = match &request.verification {
            Verification::Offline { approver } => approver.as_ref().map(Session::employee_id),
            Verification::Online => None,
        };

        // From here on this terminal's write lock is held: what is checked
        // below cannot change before the rows are written.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for b in &plan.beneficiaries {
            refuse_if_paid(&tx, &policy.campaign.id, b)?;
        }
        let cards = load_cards(&tx, &request.card_serials, &plan.amounts)?;
        let issuance_id = Uuid::now_v7().to_string();
        let write = Write {
            tx: &tx,
            policy,
            site_code: &self.site.code,
            id: &issuance_id,
            at,
        };
        let seq = write.all(clerk, &request, &plan, &cards, offline, approver)?;
        tx.commit()?;
        Ok(Issued {
            issuance_id,
            outbox_seq: seq,
            issued_at: at,
            total: plan.total,
            cards,
            beneficiaries: plan.beneficiaries.into_iter().map(|b| b.masked).collect(),
            offline,
        })
    }

    /// Every rule of the campaign, checked for one request.
    fn plan(&self, request: &IssueRequest, at: NaiveDateTime) -> Result<Plan> {
        let policy = &self.policy;
        let applicant = &request.applicant;
        if applicant.name.trim().is_empty() {
            return Err(Error::Missing {
                field: "신청인 이름",
            });
        }
        if !policy.proxy.id_documents.contains(&applicant.id_document) {
            return Err(Error::IdDocumentNotAccepted(applicant.id_document));
        }
        if request.beneficiaries.is_empty() {
            return Err(Error::NoBeneficiaries);
        }
        let applicant_key = applicant.id.beneficiary_key(&self.secret);
        let mut window_name = None;
        let mut seen = BTreeSet::new();
        let mut checked = Vec::with_capacity(request.beneficiaries.len());
        for b in &request.beneficiaries {
            let name = b.name.trim().to_owned();
            if name.is_empty() {
                return Err(Error::Missing {
                    field: "받는 사람 이름",
                });
            }
            let key = b.id.beneficiary_key(&self.secret);
            if !seen.insert(key) {
                return Err(Error::SameBeneficiaryTwice);
            }
            if (b.relation == Relation::SelfApplicant) != (key == applicant_key) {
                return Err(Error::SelfMismatch);
            }
            if !policy.covers(b.resident_sigungu) {
                return Err(Error::UnknownSigungu(b.resident_sigungu));
            }
            let birth_year = match policy.campaign.birth_year_of {
                BirthYearOf::Applicant => applicant.id.birth_year(),
                BirthYearOf::Householder => b.id.birth_year(),
            };
            let visit = Visit {
                at,
                site: self.site.as_site(),
                resident_sigungu: b.resident_sigungu,
                household_size: b.household_size,
                visitor: Visitor {
                    birth_year,
                    foreign: b.id.is_foreign(),
                },
            };
            let decision = eligibility::check(policy, &visit);
            match &decision.verdict {
                Verdict::Allowed { window, .. } => window_name = Some(window.name.clone()),
                Verdict::Refused(refusal) => {
                    return Err(Error::NotEligible {
                        name,
                        reason: refusal.code(),
                        message: decision.verdict.message(policy),
                    });
                }
            }
            let collection = Collection {
                relation: b.relation,
                applicant_age: applicant.id.age_on(at.date()),
                beneficiary_age: b.id.age_on(at.date()),
                household_of_minors: request.household_of_minors,
            };
            proxy::may_collect(&policy.proxy, &collection).map_err(|refusal| Error::Proxy {
                name: name.clone(),
                refusal,
            })?;
            let money = entitlement(
                policy,
                b.resident_sigungu,
                b.household_size,
                b.id.is_foreign(),
            );
            checked.push(Checked {
                key,
                masked: b.id.masked().to_string(),
                name,
                relation: b.relation,
                household_size: b.household_size,
                sigungu: b.resident_sigungu,
                shares: money
                    .shares
                    .iter()
                    .map(|s| (s.source.to_owned(), s.amount))
                    .collect(),
            });
        }
        let total = checked
            .iter()
            .flat_map(|b| b.shares.iter().map(|(_, a)| *a))
            .try_fold(Krw(0), |sum, a| sum.checked_add(a))
            .ok_or(Error::AmountTooLarge)?;
        let amounts = card::split_on(policy, at.date(), total)?;
        Ok(Plan {
            beneficiaries: checked,
            total,
            amounts,
            window: window_name.expect("at least one beneficiary was allowed"),
        })
    }
}

fn refuse_if_paid(conn: &Connection, campaign: &str, b: &Checked) -> Result<()> {
    match deny::paid(conn, campaign, &b.key)? {
        Some(Paid::Here {
            issuance_id,
            issued_at,
            ..
        }) => Err(Error::AlreadyPaidHere {
            masked: b.masked.clone(),
            issuance_id,
            issued_at,
        }),
        Some(Paid::Elsewhere {
            channel,
            site,
            paid_at,
        }) => Err(Error::PaidElsewhere {
            masked: b.masked.clone(),
            channel,
            site,
            paid_at,
        }),
        None => Ok(()),
    }
}

/// Pairs each scanned card with an amount: the largest amounts onto the
/// cards that can hold the most, keeping the scan order.
fn load_cards(conn: &Connection, serials: &[String], amounts: &[Krw]) -> Result<Vec<IssuedCard>> {
    if serials.len() != amounts.len() {
        return Err(Error::CardCountMismatch {
            needed: amounts.len(),
            scanned: serials.len(),
        });
    }
    let mut faces = Vec::with_capacity(serials.len());
    let mut unique = BTreeSet::new();
    for serial in serials {
        let serial = serial.trim();
        check_serial(serial)?;
        if !unique.insert(serial) {
            return Err(Error::SameCardTwice(serial.to_owned()));
        }
        let (state, face) = stock::card_state(conn, serial)?
            .ok_or_else(|| Error::UnknownCard(serial.to_owned()))?;
        if !state.on_hand() {
            return Err(Error::CardNotInStock {
                serial: serial.to_owned(),
                state: state.label(),
            });
        }
        faces.push((serial.to_owned(), face));
    }
    let mut by_capacity: Vec<usize> = (0..faces.len()).collect();
    by_capacity.sort_by_key(|&i| std::cmp::Reverse(faces[i].1));
    let mut sorted_amounts = amounts.to_vec();
    sorted_amounts.sort_by_key(|&a| std::cmp::Reverse(a));
    let mut loaded: BTreeMap<usize, Krw> = BTreeMap::new();
    for (&i, &amount) in by_capacity.iter().zip(&sorted_amounts) {
        let (serial, face) = &faces[i];
        if amount > *face {
            return Err(Error::CardFaceValueTooLow {
                serial: serial.clone(),
                face_value: *face,
                amount,
            });
        }
        loaded.insert(i, amount);
    }
    Ok(faces
        .into_iter()
        .enumerate()
        .map(|(i, (serial, _))| IssuedCard {
            serial,
            amount: loaded[&i],
        })
        .collect())
}

/// The rows of one issuance, written inside one transaction.
struct Write<'t> {
    tx: &'t Transaction<'t>,
    policy: &'t Policy,
    site_code: &'t str,
    id: &'t str,
    at: NaiveDateTime,
}

impl Write<'_> {
    fn all(
        &self,
        clerk: &Session,
        request: &IssueRequest,
        plan: &Plan,
        cards: &[IssuedCard],
        offline: bool,
        approver: Option<&str>,
    ) -> Result<i64> {
        let policy = self.policy;
        let applicant = &request.applicant;
        let applicant_name = applicant.name.trim();
        let beneficiaries = &plan.beneficiaries;
        let (total, window) = (plan.total, plan.window.as_str());
        let at = time::format(self.at);
        let verification = if offline {
            relief_protocol::Verification::Offline
        } else {
            relief_protocol::Verification::Online
        };
        self.tx.execute(
            "INSERT INTO issuance (id, campaign_id, policy_version, site_code, clerk_id, issued_at,
                applicant_masked, applicant_name, applicant_id_document, verification, offline_approved_by,
                decision_window, total_krw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                self.id,
                policy.campaign.id,
                policy.campaign.version,
                self.site_code,
                clerk.employee_id(),
                at,
                applicant.id.masked().as_str(),
                applicant_name,
                applicant.id_document,
                verification,
                approver,
                window,
                total.won() as i64
            ],
        )?;
        for (position, b) in beneficiaries.iter().enumerate() {
            self.tx.execute(
                "INSERT INTO issuance_beneficiary (issuance_id, position, campaign_id, beneficiary_key, masked, name,
                    relation, household_size, sigungu)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    self.id,
                    position as i64,
                    policy.campaign.id,
                    b.key.as_bytes().as_slice(),
                    b.masked,
                    b.name,
                    b.relation,
                    b.household_size.get(),
                    b.sigungu.to_string()
                ],
            )?;
            for (source, amount) in &b.shares {
                self.tx.execute(
                    "INSERT INTO beneficiary_share (issuance_id, position, source, amount_krw) VALUES (?1, ?2, ?3, ?4)",
                    params![self.id, position as i64, source, amount.won() as i64],
                )?;
            }
        }
        for (position, card) in cards.iter().enumerate() {
            self.tx.execute(
                "INSERT INTO issuance_card (issuance_id, position, serial, amount_krw) VALUES (?1, ?2, ?3, ?4)",
                params![self.id, position as i64, card.serial, card.amount.won() as i64],
            )?;
            self.tx.execute(
                "INSERT INTO card_event (serial, state, at, actor, cause, cause_id) VALUES (?1, 'issued', ?2, ?3, 'issue', ?4)",
                params![card.serial, at, clerk.employee_id(), self.id],
            )?;
        }
        let event = IssuancePayload {
            issuance_id: self.id.to_owned(),
            campaign_id: policy.campaign.id.clone(),
            policy_version: policy.campaign.version.clone(),
            site_code: self.site_code.to_owned(),
            clerk_id: clerk.employee_id().to_owned(),
            issued_at: self.at,
            verification,
            visit_id: request.visit.clone(),
            beneficiaries: beneficiaries
                .iter()
                .map(|b| BeneficiaryPaid {
                    key: b.key.to_hex(),
                    household_size: b.household_size.get(),
                    sigungu: b.sigungu.to_string(),
                    shares_krw: b.shares.iter().map(|(s, a)| (s.clone(), a.won())).collect(),
                })
                .collect(),
            cards: cards
                .iter()
                .map(|c| CardLoaded {
                    serial: c.serial.clone(),
                    amount_krw: c.amount.won(),
                })
                .collect(),
            total_krw: total.won(),
        };
        // The visit closes with its issuance, or the issuance is refused.
        if let Some(visit) = &request.visit {
            visit::close_by_issuance(self.tx, visit, self.id, self.at)?;
        }
        let seq = outbox::append(self.tx, self.id, &event, self.at)?;
        let content = snapshot::issuance(self.tx, self.id)?;
        audit::append(
            self.tx,
            self.at,
            Some(clerk.employee_id()),
            Action::Issued,
            self.id,
            &content,
        )?;
        Ok(seq)
    }
}

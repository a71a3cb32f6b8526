//! Issuing cards: every rule from relief-core checked first, then one
//! transaction that writes the issuance, its cards, the outbox event and
//! the audit entry, or nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use chrono::NaiveDateTime;
use relief_core::amount::entitlement;
use relief_core::card;
use relief_core::eligibility::{self, Refusal, RollLookup, Standing, Verdict, Visit, Visitor};
use relief_core::identity::{BeneficiaryKey, IdentityNumber, MaskedId};
use relief_core::policy::{BirthYearOf, OfflineMode, Policy};
use relief_core::proxy::{self, Collection, IdDocument, Relation};
use relief_core::roll::RollOverride;
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

/// The name recorded for a household member picked from the roll whose
/// name the clerk did not type.
pub const LISTED_MEMBER: &str = "세대원(명부)";

/// Whom a beneficiary is: by the number the clerk typed, or picked from
/// the applicant's household on the roll (no number typed: the roll's key
/// and masked number are all the counter needs).
#[derive(Debug, Clone)]
pub enum Who {
    Number(IdentityNumber),
    /// A member of the applicant's household on the roll.
    Listed(BeneficiaryKey),
}

/// One person (or, for a household campaign, household) to be paid.
pub struct BeneficiaryRequest {
    pub who: Who,
    pub name: String,
    /// The applicant's relation to this beneficiary.
    pub relation: Relation,
    /// As the visitor states it: needed only where the roll does not say
    /// (the terminal has none, or a supervisor makes an exception).
    pub household_size: Option<HouseholdSize>,
    pub resident_sigungu: Sigungu,
    /// Served though the roll does not admit them.
    pub roll_exception: Option<RollException>,
}

/// A documented exception to the roll (a newborn with a birth
/// certificate, a registration the extract missed), with the note the
/// supervisor writes down: what they saw.
#[derive(Debug, Clone)]
pub struct RollException {
    pub reason: RollOverride,
    pub note: String,
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
    /// The supervisor who allows this request's roll exceptions.
    pub roll_approver: Option<Session>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedCard {
    pub serial: String,
    pub amount: Krw,
    /// The most the card holds (its batch's), which the ledger checks too.
    pub face_value: Krw,
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
    /// The version of the roll that allowed it.
    pub roll_version: Option<u64>,
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
    /// The exception, its note and the supervisor who allowed it.
    exception: Option<(RollOverride, String, String)>,
}

/// What an issuance will be, once every rule has passed.
struct Plan {
    beneficiaries: Vec<Checked>,
    total: Krw,
    amounts: Vec<Krw>,
    window: String,
    roll_version: Option<u64>,
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

        // From here on this terminal's write lock is held: what is checked
        // below cannot change before the rows are written.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let offline = match &request.verification {
            Verification::Online => None,
            Verification::Offline { approver } => Some(approve_offline(
                &tx,
                policy.campaign.offline_mode,
                approver.as_ref(),
                at,
            )?),
        };
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
        let seq = write.all(clerk, &request, &plan, &cards, offline.as_ref())?;
        tx.commit()?;
        Ok(Issued {
            issuance_id,
            outbox_seq: seq,
            issued_at: at,
            total: plan.total,
            cards,
            beneficiaries: plan.beneficiaries.into_iter().map(|b| b.masked).collect(),
            offline: offline.is_some(),
            roll_version: plan.roll_version,
        })
    }

    /// Every rule of the campaign, checked for one request.
    fn plan(&self, request: &IssueRequest, at: NaiveDateTime) -> Result<Plan> {
        if crate::close::is_closed(&self.conn, at.date())? {
            return Err(Error::DayClosed(at.date()));
        }
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
        let roll_version = self.roll_copy()?.version;
        let mut window_name = None;
        let mut seen = BTreeSet::new();
        let mut checked = Vec::with_capacity(request.beneficiaries.len());
        for b in &request.beneficiaries {
            // A member ticked on the roll's household needs no name typed:
            // the roll has none, and the masked number tells them apart.
            let name = match (b.name.trim(), &b.who) {
                ("", Who::Listed(_)) => LISTED_MEMBER.to_owned(),
                ("", Who::Number(_)) => {
                    return Err(Error::Missing {
                        field: "받는 사람 이름",
                    });
                }
                (name, _) => name.to_owned(),
            };
            let (key, masked) = self.identify(&b.who, &applicant_key)?;
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
                BirthYearOf::Householder => masked.birth_date().year(),
            };
            let registered =
                self.registered(b, &key, &masked, &name, request.roll_approver.as_ref())?;
            let (household_size, foreign) = (registered.household_size, registered.foreign);
            let visit = Visit {
                at,
                site: self.site.as_site(),
                resident_sigungu: b.resident_sigungu,
                household_size,
                visitor: Visitor {
                    birth_year,
                    foreign,
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
                beneficiary_age: masked.age_on(at.date()),
                household_of_minors: request.household_of_minors,
            };
            proxy::may_collect(&policy.proxy, &collection).map_err(|refusal| Error::Proxy {
                name: name.clone(),
                refusal,
            })?;
            let money = entitlement(policy, b.resident_sigungu, household_size, foreign);
            checked.push(Checked {
                key,
                masked: masked.to_string(),
                name,
                relation: b.relation,
                household_size,
                sigungu: b.resident_sigungu,
                shares: money
                    .shares
                    .iter()
                    .map(|s| (s.source.to_owned(), s.amount))
                    .collect(),
                exception: registered.exception,
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
            roll_version: (roll_version > 0).then_some(roll_version),
        })
    }

    /// Who the roll says a beneficiary is: their household's size and
    /// whether they are a foreign resident, or the refusal. A documented
    /// exception, allowed by a supervisor, serves someone the roll does
    /// not list (or lists as taken off) on what the visitor shows.
    fn registered(
        &self,
        b: &BeneficiaryRequest,
        key: &BeneficiaryKey,
        masked: &MaskedId,
        name: &str,
        approver: Option<&Session>,
    ) -> Result<Registered> {
        let policy = &self.policy;
        let declared = || {
            b.household_size.ok_or(Error::Missing {
                field: "세대원 수"
            })
        };
        match (self.roll_standing(key)?, &b.roll_exception) {
            (RollStanding::Declared, None) => Ok(Registered {
                household_size: declared()?,
                foreign: masked.is_foreign(),
                exception: None,
            }),
            (
                RollStanding::Listed {
                    household_size,
                    foreign,
                    ..
                },
                None,
            ) => Ok(Registered {
                household_size,
                foreign,
                exception: None,
            }),
            (RollStanding::Declared | RollStanding::Listed { .. }, Some(_)) => {
                Err(Error::RollExceptionNotNeeded(name.to_owned()))
            }
            (
                RollStanding::Refused {
                    overridable: true, ..
                },
                Some(exception),
            ) => {
                let allowed = policy
                    .roll
                    .as_ref()
                    .is_some_and(|rules| rules.overrides.contains(&exception.reason));
                if !allowed {
                    return Err(Error::RollExceptionNotAllowed(exception.reason));
                }
                let approver = approver.ok_or(Error::SupervisorRequired)?;
                approver.require_supervisor()?;
                let note = exception.note.trim();
                if note.is_empty() {
                    return Err(Error::Missing {
                        field: "명부 예외 확인 내용",
                    });
                }
                Ok(Registered {
                    household_size: declared()?,
                    foreign: masked.is_foreign(),
                    exception: Some((
                        exception.reason,
                        note.to_owned(),
                        approver.employee_id().to_owned(),
                    )),
                })
            }
            (
                RollStanding::Refused {
                    reason, message, ..
                },
                _,
            ) => Err(Error::NotEligible {
                name: name.to_owned(),
                reason,
                message,
            }),
        }
    }

    /// What the roll says of a person: nothing to go by (no roll), their
    /// household, or why they are not served here (and whether a
    /// supervisor's documented exception may serve them all the same).
    pub fn roll_standing(&self, key: &BeneficiaryKey) -> Result<RollStanding> {
        let policy = &self.policy;
        // Until a first download completes there is no copy to look in.
        let listed = if self.roll_copy()?.version == 0 {
            None
        } else {
            Some(match self.roll_person(key)? {
                Some(person) => {
                    let size = self.roll_household_size(person.household)?;
                    Some((person, size))
                }
                None => None,
            })
        };
        let lookup = match &listed {
            None => RollLookup::NoCopy,
            Some(None) => RollLookup::NotListed,
            Some(Some((person, household_size))) => RollLookup::Listed(eligibility::Listing {
                status: person.status,
                here: person.here,
                eupmyeondong: &person.eupmyeondong,
                household_size: *household_size,
            }),
        };
        let standing = eligibility::registration(
            policy,
            self.site.site_type,
            self.site.eupmyeondong.as_deref(),
            lookup,
        );
        Ok(match standing {
            Ok(Standing::Declared) => RollStanding::Declared,
            Ok(Standing::Listed {
                household_size,
                foreign,
            }) => RollStanding::Listed {
                household: listed.flatten().expect("listed").0.household,
                household_size,
                foreign,
            },
            Err(refusal) => RollStanding::Refused {
                reason: refusal.code(),
                message: refusal.message(policy),
                overridable: matches!(refusal, Refusal::NotOnRoll | Refusal::RemovedFromRoll),
            },
        })
    }
}

/// What the roll says of a person (see [`Store::roll_standing`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollStanding {
    /// No roll to go by: the visitor states the household size.
    Declared,
    Listed {
        household: u64,
        household_size: HouseholdSize,
        foreign: bool,
    },
    Refused {
        reason: &'static str,
        message: String,
        /// A documented exception may serve them (not on the roll, or
        /// taken off it).
        overridable: bool,
    },
}

impl Store {
    /// A beneficiary's key and masked number, as the request names them.
    pub fn beneficiary_of(&self, who: &Who) -> Result<(BeneficiaryKey, MaskedId)> {
        match who {
            Who::Number(id) => Ok((id.beneficiary_key(&self.secret), id.masked())),
            Who::Listed(key) => self
                .roll_person(key)?
                .map(|m| (*key, m.masked))
                .ok_or(Error::NotInHousehold),
        }
    }

    /// A beneficiary's key and masked number. One picked from the roll
    /// must be of the applicant's own household there.
    fn identify(
        &self,
        who: &Who,
        applicant: &BeneficiaryKey,
    ) -> Result<(BeneficiaryKey, MaskedId)> {
        match who {
            Who::Number(_) => self.beneficiary_of(who),
            Who::Listed(key) => {
                let member = self.roll_person(key)?;
                let household = self.roll_person(applicant)?.map(|a| a.household);
                match member {
                    Some(m) if Some(m.household) == household => Ok((*key, m.masked)),
                    _ => Err(Error::NotInHousehold),
                }
            }
        }
    }
}

/// A beneficiary as the roll (or an exception to it) has them.
struct Registered {
    household_size: HouseholdSize,
    foreign: bool,
    exception: Option<(RollOverride, String, String)>,
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

/// Each scanned card, once, known here and in the drawer: its face value.
fn scanned_faces(conn: &Connection, serials: &[String]) -> Result<Vec<(String, Krw)>> {
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
    Ok(faces)
}

impl Store {
    /// The cards scanned so far for a visit, checked as they are scanned:
    /// each known here, in the drawer and scanned once, and together able
    /// to hold as many of `amounts` (the split to load) as there are cards.
    /// The cards still to come may take the larger amounts, so the ones
    /// scanned need only hold the smallest; the issuance checks the whole
    /// set again.
    pub fn check_scanned_cards(&self, serials: &[String], amounts: &[Krw]) -> Result<()> {
        if serials.len() > amounts.len() {
            return Err(Error::CardCountMismatch {
                needed: amounts.len(),
                scanned: serials.len(),
            });
        }
        let mut faces = scanned_faces(&self.conn, serials)?;
        faces.sort_by_key(|(_, face)| *face);
        let mut smallest = amounts.to_vec();
        smallest.sort();
        // The k smallest amounts onto the k cards in ascending order: if
        // that pairing fails, every pairing does.
        for ((serial, face), &amount) in faces.iter().zip(&smallest) {
            if amount > *face {
                return Err(Error::CardFaceValueTooLow {
                    serial: serial.clone(),
                    face_value: *face,
                    amount,
                });
            }
        }
        Ok(())
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
    let faces = scanned_faces(conn, serials)?;
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
        .map(|(i, (serial, face_value))| IssuedCard {
            serial,
            amount: loaded[&i],
            face_value,
        })
        .collect())
}

/// Who allowed an offline issuance, if anyone had to.
#[derive(Default)]
struct OfflineApproved {
    /// The supervisor: at the counter for this issuance, or the one who
    /// opened the approval in force.
    by: Option<String>,
    /// The approval in force it is recorded under.
    approval: Option<String>,
}

/// The policy's offline mode, applied inside the issuance's transaction
/// (so that an approval's count cannot be overrun by a second issuance).
/// A supervisor at the counter approves this issuance alone; without one,
/// the approval in force at the counter does.
fn approve_offline(
    conn: &Connection,
    mode: OfflineMode,
    approver: Option<&Session>,
    at: NaiveDateTime,
) -> Result<OfflineApproved> {
    match (mode, approver) {
        (OfflineMode::Refuse, _) => Err(Error::OfflineRefused),
        (OfflineMode::Allow, approver) => Ok(OfflineApproved {
            by: approver.map(|s| s.employee_id().to_owned()),
            approval: None,
        }),
        (OfflineMode::Supervisor, Some(approver)) => {
            approver.require_supervisor()?;
            Ok(OfflineApproved {
                by: Some(approver.employee_id().to_owned()),
                approval: None,
            })
        }
        (OfflineMode::Supervisor, None) => {
            let approval = crate::offline_approval::in_force(conn, at)?
                .ok_or(Error::OfflineNeedsSupervisor)?;
            Ok(OfflineApproved {
                by: Some(approval.opened_by),
                approval: Some(approval.id),
            })
        }
    }
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
        offline: Option<&OfflineApproved>,
    ) -> Result<i64> {
        let policy = self.policy;
        let applicant = &request.applicant;
        let applicant_name = applicant.name.trim();
        let beneficiaries = &plan.beneficiaries;
        let (total, window) = (plan.total, plan.window.as_str());
        let at = time::format(self.at);
        let verification = match offline {
            Some(_) => relief_protocol::Verification::Offline,
            None => relief_protocol::Verification::Online,
        };
        let online = OfflineApproved::default();
        let approved = offline.unwrap_or(&online);
        self.tx.execute(
            "INSERT INTO issuance (id, campaign_id, policy_version, site_code, clerk_id, issued_at,
                applicant_masked, applicant_name, applicant_id_document, verification, offline_approved_by,
                decision_window, total_krw, roll_version, offline_approval_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
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
                approved.by,
                window,
                total.won() as i64,
                plan.roll_version.map(|v| v as i64),
                approved.approval
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
            if let Some((reason, note, approver)) = &b.exception {
                self.tx.execute(
                    "INSERT INTO roll_exception (issuance_id, position, reason, note, approved_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![self.id, position as i64, reason, note, approver],
                )?;
            }
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
                    roll_exception: b.exception.as_ref().map(|e| e.0),
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
                    face_value_krw: Some(c.face_value.won()),
                })
                .collect(),
            total_krw: total.won(),
            roll_version: plan.roll_version,
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

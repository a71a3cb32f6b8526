//! The visitor screen: the check as the number is typed, the quote before
//! the cards are scanned, the issuance, the receipt.

use relief_core::amount::entitlement;
use relief_core::card;
use relief_core::eligibility::{self, Visit, Visitor};
use relief_core::identity::BeneficiaryKey;
use relief_core::identity::{CheckDigit, IdentityNumber};
use relief_core::proxy;
use relief_core::{HouseholdSize, Sigungu, ko};
use relief_store::{
    Applicant, BeneficiaryRequest, IssueRequest, Paid, RollStanding, Verification, Who,
};
use relief_sync::visit::{self, VisitError};
use zeroize::Zeroizing;

use super::error::{AppCode, AppError};
use super::views::*;
use super::{Counter, Result, write};

impl Counter {
    /// The eligibility answer for the visitor being typed in.
    pub fn check(&self, input: &CheckInput) -> Result<CheckView> {
        self.session()?;
        let id = IdentityNumber::parse(&Zeroizing::new(input.rrn.clone()))?;
        let resident = sigungu(&input.resident_sigungu)?;
        let now = self.now();
        let age = id.age_on(now.date());
        let store = self.store()?;
        let policy = store.policy();
        if !policy.covers(resident) {
            return Err(relief_store::Error::UnknownSigungu(resident).into());
        }
        let key = store.beneficiary_key(&id);
        // The roll, where it lists the visitor, says their household and
        // standing; without one, the visitor says the size.
        let (size, foreign, household, refused) = match store.roll_standing(&key)? {
            RollStanding::Declared => {
                let size = input.household_size.ok_or(relief_store::Error::Missing {
                    field: "세대원 수",
                })?;
                (household(size)?, id.is_foreign(), None, None)
            }
            RollStanding::Listed {
                household,
                household_size,
                foreign,
            } => (household_size, foreign, Some(household), None),
            RollStanding::Refused {
                reason, message, ..
            } => {
                let size = household(input.household_size.unwrap_or(1))?;
                (size, id.is_foreign(), None, Some((reason, message)))
            }
        };
        let visit = Visit {
            at: now,
            site: store.site().as_site(),
            resident_sigungu: resident,
            household_size: size,
            visitor: Visitor {
                birth_year: id.birth_year(),
                foreign,
            },
        };
        let decision = eligibility::check(policy, &visit);
        let money = entitlement(policy, resident, size, foreign);
        let paid = store.paid(&key)?.map(paid_view);
        let (allowed, reason, message) = match (&paid, refused) {
            (_, Some((reason, message))) => (false, reason.to_owned(), message),
            (Some(p), None) => (false, "already_paid".to_owned(), p.detail.clone()),
            (None, None) => (
                decision.allowed(),
                decision.verdict.code().to_owned(),
                decision.verdict.message(policy),
            ),
        };
        let members = match household {
            Some(household) => Some(
                store
                    .roll_household(household)?
                    .into_iter()
                    .map(|m| -> Result<MemberView> {
                        let age = m.masked.age_on(now.date());
                        let registered = m.registered();
                        Ok(MemberView {
                            key: m.key.to_hex(),
                            masked: m.masked.to_string(),
                            age,
                            eupmyeondong: m.eupmyeondong,
                            status: m.status.label().to_owned(),
                            applicant: m.key == key,
                            registered,
                            minor: age < policy.proxy.adult_age,
                            paid: store.paid(&m.key)?.map(paid_view),
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
            None => None,
        };
        Ok(CheckView {
            allowed,
            reason,
            message,
            next: decision
                .next
                .as_slice()
                .iter()
                .map(|d| ko::date(*d))
                .collect(),
            masked: id.masked().to_string(),
            foreign: id.is_foreign(),
            age,
            check_digit_mismatch: id.check_digit() == CheckDigit::Mismatch,
            minor_notice: proxy::minor_notice(&policy.proxy, age),
            per_person: money.total().won(),
            household_total: money.for_household(size).won(),
            shares: money
                .shares
                .iter()
                .map(|s| Share {
                    label: s.label.to_owned(),
                    amount: s.amount.won(),
                })
                .collect(),
            basis: money.basis,
            paid,
            household_size: members.as_ref().map(|_| size.get()),
            household: members,
        })
    }

    /// Who would receive what, and on how many cards, before cards are scanned.
    pub fn quote(&self, input: &IssueInput) -> Result<QuoteView> {
        self.session()?;
        let (applicant, beneficiaries) = parse_people(input)?;
        drop(applicant);
        let store = self.store()?;
        let policy = store.policy();
        let mut lines = Vec::with_capacity(beneficiaries.len());
        for b in &beneficiaries {
            let (key, masked) = store.beneficiary_of(&b.who)?;
            // The roll's household where it lists them, else the one typed.
            let size = match store.roll_household_size_of(&key)?.or(b.household_size) {
                Some(size) => size,
                None => {
                    return Err(relief_store::Error::Missing {
                        field: "세대원 수"
                    }
                    .into());
                }
            };
            let money = entitlement(policy, b.resident_sigungu, size, masked.is_foreign());
            lines.push(QuoteLine {
                masked: masked.to_string(),
                name: b.name.clone(),
                amount: money.total().won(),
                paid: store.paid(&key)?.map(paid_view),
            });
        }
        let total: u64 = lines.iter().map(|l| l.amount).sum();
        let cards = card::split_on(policy, self.now().date(), relief_core::Krw(total))
            .map_err(|e| AppError::new(relief_store::StoreCode::CardSplit, e.to_string()))?;
        Ok(QuoteView {
            lines,
            total,
            cards: cards.iter().map(|c| c.won()).collect(),
        })
    }

    /// The cards scanned so far, checked at the scan (known here, in the
    /// drawer, scanned once, able to hold what is to be loaded): a card
    /// that cannot be handed over is refused before anyone approves.
    pub fn check_cards(&self, input: &CardsInput) -> Result<()> {
        self.session()?;
        let amounts: Vec<relief_core::Krw> =
            input.amounts.iter().map(|&a| relief_core::Krw(a)).collect();
        Ok(self
            .store()?
            .check_scanned_cards(&input.serials, &amounts)?)
    }

    /// Issues: the ledger claims every beneficiary first; without an answer
    /// in time, the policy's offline mode decides (the visit itself is
    /// `relief_sync::visit`, shared with the command line).
    pub async fn issue(&self, input: IssueInput) -> Result<ReceiptView> {
        let clerk = self.session()?;
        let (applicant, beneficiaries) = parse_people(&input)?;
        let request = IssueRequest {
            applicant: Applicant {
                id: applicant,
                name: input.applicant_name.clone(),
                id_document: input.id_document,
            },
            beneficiaries,
            card_serials: input.cards.clone(),
            verification: Verification::Online,
            household_of_minors: input.household_of_minors,
            visit: None,
            roll_approver: None,
        };
        let approver = input.approver.as_ref().map(|a| visit::Approver {
            employee_id: a.employee_id.clone(),
            pin: Zeroizing::new(a.pin.clone()),
        });
        let options = visit::Options {
            // The counter never waits on a push: the background sync is
            // woken instead.
            push_now: false,
            ..visit::Options::default()
        };
        let visited = visit::issue(
            self.opened_store()?,
            &clerk,
            request,
            approver,
            options,
            self.now(),
        )
        .await
        .map_err(|e| match e {
            VisitError::Store(e) => AppError::from(e),
            VisitError::Ledger(e) => AppError::from(e),
        })?;
        self.sync_now.notify_one();
        // The card is handed over from here on, whatever happens to the
        // receipt: it can be printed again from the issuance.
        let receipt =
            relief_report::from_store::receipt(&*self.store()?, &visited.issued.issuance_id)
                .map_err(|e| {
                    AppError::new(
                        AppCode::Receipt,
                        format!(
                            "발급은 완료되었습니다 (발급번호 {}). 확인증을 만들 수 없습니다: {e}",
                            visited.issued.issuance_id
                        ),
                    )
                })?;
        Ok(receipt_view(&receipt))
    }

    pub fn receipt_pdf(&self, input: &ReceiptPdfInput) -> Result<()> {
        self.session()?;
        let receipt = relief_report::from_store::receipt(&*self.store()?, &input.issuance_id)?;
        let bytes = relief_report::pdf::receipt(&receipt, input.paper)?;
        write(&input.path, &bytes)
    }
}

fn sigungu(code: &str) -> Result<Sigungu> {
    code.parse()
        .map_err(|e: relief_core::region::InvalidSigunguCode| {
            AppError::new(AppCode::Input, e.to_string())
        })
}

fn household(n: u32) -> Result<HouseholdSize> {
    Ok(HouseholdSize::try_from(i64::from(n))?)
}

fn paid_view(paid: Paid) -> PaidView {
    match paid {
        Paid::Here { issued_at, .. } => PaidView {
            place: PaidPlace::Here,
            detail: format!(
                "이 창구에서 이미 지급 ({})",
                issued_at.format("%-m월 %-d일 %H:%M")
            ),
        },
        Paid::Elsewhere {
            channel,
            site,
            paid_at,
        } => PaidView {
            place: PaidPlace::Elsewhere,
            detail: format!(
                "다른 곳에서 이미 지급: {} {} ({})",
                channel.label(),
                site,
                paid_at.replace('T', " ")
            ),
        },
    }
}

/// The applicant and the beneficiaries of a visit, parsed.
fn parse_people(input: &IssueInput) -> Result<(IdentityNumber, Vec<BeneficiaryRequest>)> {
    let applicant = IdentityNumber::parse(&Zeroizing::new(input.applicant_rrn.clone()))?;
    let mut beneficiaries = Vec::with_capacity(input.beneficiaries.len());
    for b in &input.beneficiaries {
        let who = match &b.member {
            Some(key) => Who::Listed(
                BeneficiaryKey::from_hex(key)
                    .map_err(|_| AppError::new(AppCode::Input, "세대원 키가 올바르지 않습니다"))?,
            ),
            None if b.rrn.trim().is_empty() => Who::Number(applicant.clone()),
            None => Who::Number(IdentityNumber::parse(&Zeroizing::new(b.rrn.clone()))?),
        };
        beneficiaries.push(BeneficiaryRequest {
            who,
            // A member ticked on the roll has no name there: the store
            // records them as the roll's member, not as the applicant.
            name: match (b.member.is_some(), b.name.trim().is_empty()) {
                (true, true) => String::new(),
                (false, true) => input.applicant_name.clone(),
                (_, false) => b.name.clone(),
            },
            relation: b.relation,
            household_size: b.household_size.map(household).transpose()?,
            resident_sigungu: sigungu(&b.resident_sigungu)?,
            roll_exception: None,
        });
    }
    if beneficiaries.is_empty() {
        return Err(relief_store::Error::NoBeneficiaries.into());
    }
    Ok((applicant, beneficiaries))
}

fn receipt_view(r: &relief_report::receipt::Receipt) -> ReceiptView {
    ReceiptView {
        campaign: r.campaign.clone(),
        site_name: r.site_name.clone(),
        issuance_id: r.issuance_id.clone(),
        issued_at: r.issued_at.format("%Y-%m-%d %H:%M").to_string(),
        applicant: format!("{} {}", r.applicant_name, r.applicant_masked),
        id_document: r.id_document.clone(),
        beneficiaries: r
            .beneficiaries
            .iter()
            .map(|b| QuoteLine {
                masked: b.masked.clone(),
                name: format!("{} ({})", b.name, b.relation),
                amount: b.amount,
                paid: None,
            })
            .collect(),
        cards: r
            .cards
            .iter()
            .map(|card| CardLine {
                serial: card.serial.clone(),
                amount: card.amount,
                activation: card.activation.clone(),
            })
            .collect(),
        total: r.total(),
        clerk: r.clerk.clone(),
        terms: r.terms(),
        offline: r.offline,
    }
}

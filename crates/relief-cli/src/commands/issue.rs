//! `relief issue`: the PIN line (unless RELIEF_PIN is set), then the
//! application as JSON on standard input:
//!
//! ```json
//! {"applicant": {"rrn": "…", "name": "홍길동", "id_document": "resident_card"},
//!  "beneficiaries": [{"relation": "self", "household_size": 4},
//!                    {"rrn": "…", "name": "김영희", "relation": "spouse", "household_size": 4, "sigungu": "41110"}],
//!  "cards": ["GG20-000001"]}
//! ```
//! A beneficiary without `rrn` and `name` is the applicant; `sigungu` is the
//! site's by default.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use relief_core::identity::{BeneficiaryKey, IdentityNumber};
use relief_core::proxy::{IdDocument, Relation};
use relief_core::{HouseholdSize, Sigungu};
use relief_protocol::ClaimResult;
use relief_store::{Applicant, BeneficiaryRequest, IssueRequest, Verification};
use relief_sync::ClaimOutcome;

/// How long the counter waits for the ledger before going offline.
const CLAIM_TIMEOUT: Duration = Duration::from_secs(3);
use serde::Deserialize;
use zeroize::Zeroizing;

use super::answer;
use crate::cli::IssueArgs;
use crate::error::CliError;
use crate::terminal::{self, Input};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Application {
    applicant: Person,
    beneficiaries: Vec<Beneficiary>,
    cards: Vec<String>,
    #[serde(default)]
    household_of_minors: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    rrn: Zeroizing<String>,
    name: String,
    id_document: IdDocument,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Beneficiary {
    rrn: Option<Zeroizing<String>>,
    name: Option<String>,
    relation: Relation,
    household_size: i64,
    sigungu: Option<Sigungu>,
}

pub fn run(dir: Option<&Path>, args: IssueArgs, json: bool) -> Result<(), CliError> {
    let mut store = terminal::open(dir)?;
    let at = terminal::now(&store, args.actor.at)?;
    let mut input = Input::default();
    let clerk = terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
    let approver = match &args.approver {
        Some(id) => Some(terminal::sign_in(
            &mut store,
            &mut input,
            id,
            "RELIEF_APPROVER_PIN",
            at,
        )?),
        None => None,
    };
    let text = input.rest()?;
    let application: Application = serde_json::from_str(&text)
        .map_err(|e| CliError::Input(format!("신청 내용(JSON)을 읽을 수 없습니다: {e}")))?;

    let site_sigungu = store.site().sigungu;
    let applicant_id = IdentityNumber::parse(&application.applicant.rrn)?;
    let mut beneficiaries = Vec::with_capacity(application.beneficiaries.len());
    for b in application.beneficiaries {
        let id = match &b.rrn {
            Some(rrn) => IdentityNumber::parse(rrn)?,
            None => applicant_id.clone(),
        };
        beneficiaries.push(BeneficiaryRequest {
            id,
            name: b.name.unwrap_or_else(|| application.applicant.name.clone()),
            relation: b.relation,
            household_size: HouseholdSize::try_from(b.household_size)?,
            resident_sigungu: b.sigungu.unwrap_or(site_sigungu),
        });
    }
    // Online first: claim every beneficiary at the ledger. No answer in
    // time means the offline path, as the policy allows.
    let keys: Vec<BeneficiaryKey> = beneficiaries
        .iter()
        .map(|b| store.beneficiary_key(&b.id))
        .collect();
    let enrolled = store.enrollment()?.is_some();
    let store = Mutex::new(store);
    let runtime = super::sync::runtime()?;
    let online = if args.offline || !enrolled {
        false
    } else {
        match runtime.block_on(relief_sync::claim_for_issue(&store, &keys, CLAIM_TIMEOUT)) {
            ClaimOutcome::Granted => true,
            ClaimOutcome::Refused(results) => return Err(refusal(&beneficiaries, &keys, &results)),
            ClaimOutcome::Unreachable(reason) => {
                eprintln!("relief: 원장 서버에 연결되지 않아 오프라인으로 발급합니다 ({reason})");
                false
            }
        }
    };
    let request = IssueRequest {
        applicant: Applicant {
            id: applicant_id,
            name: application.applicant.name,
            id_document: application.applicant.id_document,
        },
        beneficiaries,
        card_serials: application.cards,
        verification: if online {
            Verification::Online
        } else {
            Verification::Offline {
                approver: approver.as_ref(),
            }
        },
        household_of_minors: application.household_of_minors,
    };
    let outcome = store.lock().expect("one thread").issue(&clerk, request, at);
    let issued = match outcome {
        Ok(issued) => issued,
        Err(error) => {
            if online {
                let _ = runtime.block_on(relief_sync::release(&store, &keys));
            }
            return Err(error.into());
        }
    };
    if online {
        // Tell the ledger now, while it answers; `relief sync` catches up otherwise.
        let quick = relief_sync::Retry {
            attempts: 1,
            ..relief_sync::Retry::default()
        };
        if let Err(error) = runtime.block_on(relief_sync::push_pending(&store, quick, 100)) {
            eprintln!("relief: 발급은 저장했고 다음 동기화 때 원장 서버에 보냅니다 ({error})");
        }
    }
    answer(json, &issued, || {
        let cards: Vec<String> = issued
            .cards
            .iter()
            .map(|c| format!("{} {}", c.serial, c.amount))
            .collect();
        format!(
            "발급 완료{}: 발급번호 {}\n받는 사람: {}\n총액 {} / 카드: {}",
            if issued.offline {
                " (오프라인)"
            } else {
                ""
            },
            issued.issuance_id,
            issued.beneficiaries.join(", "),
            issued.total,
            cards.join(", ")
        )
    })
}

/// The ledger's refusal as the store would have put it.
fn refusal(
    beneficiaries: &[BeneficiaryRequest],
    keys: &[BeneficiaryKey],
    results: &[ClaimResult],
) -> CliError {
    let (key, paid) = match &results[0] {
        ClaimResult::AlreadyPaid { key, paid } | ClaimResult::ClaimedElsewhere { key, paid } => {
            (key, paid)
        }
        ClaimResult::Granted { .. } => unreachable!("only refusals are passed"),
    };
    let masked = keys
        .iter()
        .position(|k| k.to_hex() == *key)
        .map(|i| beneficiaries[i].id.masked().to_string())
        .unwrap_or_default();
    relief_store::Error::PaidElsewhere {
        masked,
        channel: paid.channel.clone(),
        site: paid.site.clone(),
        paid_at: paid.at.format("%Y-%m-%d %H:%M").to_string(),
    }
    .into()
}

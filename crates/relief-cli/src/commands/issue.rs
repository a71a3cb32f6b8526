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

use relief_core::identity::IdentityNumber;
use relief_core::proxy::{IdDocument, Relation};
use relief_core::{HouseholdSize, Sigungu};
use relief_store::{Applicant, BeneficiaryRequest, IssueRequest, Verification};
use relief_sync::visit::{self, Approver, VisitError};
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

/// Reads the application. serde's own message quotes the value it could
/// not take, which may be an identity number: the clerk is told where the
/// problem is and what kind it is, never the value.
fn read_application(text: &str) -> Result<Application, CliError> {
    let mut reader = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let inner = e.inner();
        let what = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                "JSON 형식이 올바르지 않습니다"
            }
            serde_json::error::Category::Data => "값의 종류나 항목이 올바르지 않습니다",
            serde_json::error::Category::Io => "읽을 수 없습니다",
        };
        CliError::Input(format!(
            "신청 내용(JSON)을 읽을 수 없습니다: {} 항목, {what} (줄 {}, 열 {})",
            e.path(),
            inner.line(),
            inner.column()
        ))
    })
}

pub fn run(dir: Option<&Path>, args: IssueArgs, json: bool) -> Result<(), CliError> {
    let mut store = terminal::open(dir)?;
    let at = terminal::now(&store, args.actor.at)?;
    let mut input = Input::default();
    let clerk = terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
    // Signed in only if the visit goes offline and the policy wants it.
    let approver = match &args.approver {
        Some(id) => Some(Approver {
            employee_id: id.clone(),
            pin: Zeroizing::new(
                input
                    .secret("RELIEF_APPROVER_PIN", "승인자 PIN")?
                    .trim()
                    .to_owned(),
            ),
        }),
        None => None,
    };
    let text = input.rest()?;
    let application = read_application(&text)?;

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
    let request = IssueRequest {
        applicant: Applicant {
            id: applicant_id,
            name: application.applicant.name,
            id_document: application.applicant.id_document,
        },
        beneficiaries,
        card_serials: application.cards,
        verification: Verification::Online,
        household_of_minors: application.household_of_minors,
        visit: None,
    };
    let store = Mutex::new(store);
    let options = visit::Options {
        offline: args.offline,
        ..visit::Options::default()
    };
    let runtime = super::sync::runtime()?;
    let visited = runtime
        .block_on(visit::issue(&store, &clerk, request, approver, options, at))
        .map_err(|e| match e {
            VisitError::Store(e) => CliError::Store(e),
            VisitError::Ledger(e) => CliError::Sync(e),
        })?;
    if let Some(because) = &visited.offline_because
        && !args.offline
    {
        eprintln!("relief: 원장 서버에 연결되지 않아 오프라인으로 발급했습니다 ({because})");
    }
    let issued = visited.issued;
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

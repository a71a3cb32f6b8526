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
//! site's by default. Where the terminal holds the resident roll, the
//! household size comes from it (`household_size` is then left out), and a
//! member of the applicant's household may be given by their place in it
//! instead of their number, as `relief roll household` lists it:
//! `{"member": 2, "name": "김영희", "relation": "spouse"}`. Someone the roll
//! does not admit is served only on a documented exception, with a
//! supervisor (`--approver`): `"roll_exception": "newborn",
//! "roll_exception_note": "출생증명서 확인", "household_size": 4`.

use std::path::Path;
use std::sync::Mutex;

use relief_core::identity::IdentityNumber;
use relief_core::proxy::{IdDocument, Relation};
use relief_core::roll::RollOverride;
use relief_core::{HouseholdSize, Sigungu};
use relief_store::{
    Applicant, BeneficiaryRequest, IssueRequest, RollException, Store, Verification, Who,
};
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
    /// Their place in the applicant's household on the roll, from 1.
    member: Option<usize>,
    name: Option<String>,
    relation: Relation,
    household_size: Option<i64>,
    sigungu: Option<Sigungu>,
    roll_exception: Option<RollOverride>,
    roll_exception_note: Option<String>,
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
    let mut input = Input::default();
    let mut store = terminal::open_for(dir, &args.actor, &mut input)?;
    let at = terminal::now(&store, args.actor.at)?;
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
    // A roll exception is the supervisor's: they sign in now.
    let roll_approver = match &approver {
        Some(a)
            if application
                .beneficiaries
                .iter()
                .any(|b| b.roll_exception.is_some()) =>
        {
            Some(store.sign_in(&a.employee_id, &a.pin, at)?)
        }
        _ => None,
    };

    let site_sigungu = store.site().sigungu;
    let applicant_id = IdentityNumber::parse(&application.applicant.rrn)?;
    let mut beneficiaries = Vec::with_capacity(application.beneficiaries.len());
    for b in application.beneficiaries {
        let who = match (&b.rrn, b.member) {
            (Some(_), Some(_)) => {
                return Err(CliError::Input(
                    "받는 사람은 rrn과 member 중 하나로만 지정합니다".into(),
                ));
            }
            (Some(rrn), None) => Who::Number(IdentityNumber::parse(rrn)?),
            (None, Some(place)) => Who::Listed(member(&store, &applicant_id, place)?),
            (None, None) => Who::Number(applicant_id.clone()),
        };
        let roll_exception = match (b.roll_exception, b.roll_exception_note) {
            (Some(reason), note) => Some(RollException {
                reason,
                note: note.unwrap_or_default(),
            }),
            (None, Some(_)) => {
                return Err(CliError::Input(
                    "roll_exception_note는 roll_exception과 함께 씁니다".into(),
                ));
            }
            (None, None) => None,
        };
        beneficiaries.push(BeneficiaryRequest {
            who,
            name: b.name.unwrap_or_else(|| application.applicant.name.clone()),
            relation: b.relation,
            household_size: b.household_size.map(HouseholdSize::try_from).transpose()?,
            resident_sigungu: b.sigungu.unwrap_or(site_sigungu),
            roll_exception,
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
        roll_approver,
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

/// The key of the `place`th member (from 1) of the applicant's household
/// on the roll, in the order `relief roll household` lists them.
fn member(
    store: &Store,
    applicant: &IdentityNumber,
    place: usize,
) -> Result<relief_core::identity::BeneficiaryKey, CliError> {
    let person = store
        .roll_person(&store.beneficiary_key(applicant))?
        .ok_or_else(|| {
            CliError::Input("신청인이 주민 명부에 없어 세대원을 순번으로 고를 수 없습니다".into())
        })?;
    let household = store.roll_household(person.household)?;
    place
        .checked_sub(1)
        .and_then(|i| household.get(i))
        .map(|m| m.key)
        .ok_or_else(|| {
            CliError::Input(format!(
                "세대원 순번은 1부터 {}까지입니다 (받은 값: {place})",
                household.len()
            ))
        })
}

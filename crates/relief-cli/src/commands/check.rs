//! `relief check`: the eligibility answer for one visitor.

use std::io::Read;

use chrono::Datelike;
use relief_core::amount::entitlement;
use relief_core::card;
use relief_core::eligibility::{Verdict, Visit, Visitor, check};
use relief_core::identity::{CheckDigit, IdentityNumber};
use relief_core::policy::{Basis, Policy, builtin};
use relief_core::{HouseholdSize, Krw, ko};
use relief_core::{Sigungu, Site};
use serde::Serialize;
use zeroize::Zeroizing;

use std::path::Path;

use relief_store::RollStanding;

use crate::cli::CheckArgs;
use crate::error::CliError;

/// The JSON answer. Field names are part of the command's contract.
#[derive(Serialize)]
struct Answer<'a> {
    allowed: bool,
    reason: &'static str,
    message: String,
    next: &'a [chrono::NaiveDate],
    /// Per person, or per household where the campaign pays households
    /// (then the household is the one beneficiary).
    amount_per_person_krw: Krw,
    basis: Basis,
    amount_household_krw: Krw,
    amount_shares: Vec<Share<'a>>,
    /// The household's amount split onto cards under the limit of the day.
    cards_krw: Vec<Krw>,
    window: Option<&'a str>,
    campaign: Campaign<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<Identity>,
    /// The household size the check used.
    household_size: u8,
    /// It came from the terminal's resident roll (`--terminal`).
    household_from_roll: bool,
}

#[derive(Serialize)]
struct Share<'a> {
    source: &'a str,
    label: &'a str,
    krw: Krw,
}

#[derive(Serialize)]
struct Campaign<'a> {
    id: &'a str,
    version: &'a str,
}

/// What the number says, never the number itself.
#[derive(Serialize)]
struct Identity {
    masked: String,
    check_digit: CheckDigit,
    foreign: bool,
    age: u32,
}

pub fn run(dir: Option<&Path>, args: CheckArgs, json: bool) -> Result<(), CliError> {
    // At a terminal: its site, its policy, its roll.
    let store = match args.terminal {
        true => Some(crate::terminal::open(dir, None)?),
        false => None,
    };
    let policy = match &store {
        Some(store) => store.policy().clone(),
        None => load_policy(&args)?,
    };
    let covered = |code: Sigungu| {
        if policy.covers(code) {
            Ok(code)
        } else {
            Err(CliError::UnknownSigungu {
                campaign: policy.campaign.id.clone(),
                code,
            })
        }
    };
    let site = match (&store, args.site_type, args.site_sigungu) {
        (Some(store), _, _) => store.site().as_site(),
        (None, Some(kind), Some(sigungu)) => Site {
            kind,
            sigungu: covered(sigungu)?,
        },
        _ => unreachable!("clap requires the site without --terminal"),
    };
    let resident_sigungu = covered(args.resident_sigungu.unwrap_or(site.sigungu))?;
    let mut roll = None;
    let (mut visitor, identity) = match args.birth_year {
        Some(year) => (
            Visitor {
                birth_year: year,
                foreign: args.foreign,
            },
            None,
        ),
        None => {
            let id = read_identity()?;
            if let Some(store) = &store {
                roll = Some(store.roll_standing(&store.beneficiary_key(&id))?);
            }
            let identity = Identity {
                masked: id.masked().to_string(),
                check_digit: id.check_digit(),
                foreign: id.is_foreign(),
                age: id.age_on(args.at.date()),
            };
            (Visitor::from_identity(&id), Some(identity))
        }
    };
    let (roll_size, refused) = match roll {
        Some(RollStanding::Listed {
            household_size,
            foreign,
            ..
        }) => {
            visitor.foreign = foreign;
            (Some(household_size), None)
        }
        Some(RollStanding::Refused {
            reason, message, ..
        }) => (None, Some((reason, message))),
        Some(RollStanding::Declared) | None => (None, None),
    };
    let household_size = match (roll_size, args.household_size) {
        (Some(size), _) => size,
        (None, Some(n)) => HouseholdSize::try_from(n)?,
        // Refused by the roll: the schedule is not asked, and no size is.
        (None, None) if refused.is_some() => HouseholdSize::try_from(1)?,
        (None, None) => {
            return Err(CliError::Input(
                "주민 명부에 이 방문자의 세대가 없어 --household-size가 필요합니다".into(),
            ));
        }
    };
    let at_year = args.at.year();
    if !(at_year - 130..=at_year).contains(&visitor.birth_year) {
        return Err(CliError::BirthYear {
            year: visitor.birth_year,
            at_year,
        });
    }
    let visit = Visit {
        at: args.at,
        site,
        resident_sigungu,
        household_size,
        visitor,
    };

    let decision = check(&policy, &visit);
    let money = entitlement(&policy, resident_sigungu, household_size, visitor.foreign);
    let household_total = money.for_household(household_size);
    let (allowed, reason, message) = match refused {
        Some((reason, message)) => (false, reason, message),
        None => (
            decision.allowed(),
            decision.verdict.code(),
            decision.verdict.message(&policy),
        ),
    };
    let answer = Answer {
        allowed,
        reason,
        message,
        next: decision.next.as_slice(),
        amount_per_person_krw: money.total(),
        basis: money.basis,
        amount_household_krw: household_total,
        amount_shares: money
            .shares
            .iter()
            .map(|s| Share {
                source: s.source,
                label: s.label,
                krw: s.amount,
            })
            .collect(),
        cards_krw: card::split_on(&policy, args.at.date(), household_total).unwrap_or_default(),
        window: match &decision.verdict {
            Verdict::Allowed { window, .. } => Some(&window.name),
            Verdict::Refused(_) => None,
        },
        campaign: Campaign {
            id: &policy.campaign.id,
            version: &policy.campaign.version,
        },
        identity,
        household_size: household_size.get(),
        household_from_roll: roll_size.is_some(),
    };
    if json {
        println!("{}", serde_json::to_string(&answer)?);
    } else {
        print_for_a_person(&answer);
    }
    Ok(())
}

fn load_policy(args: &CheckArgs) -> Result<Policy, CliError> {
    let Some(path) = &args.policy else {
        return Ok(builtin::gyeonggi_2020());
    };
    let text = std::fs::read_to_string(path).map_err(|source| CliError::PolicyUnreadable {
        path: path.clone(),
        source,
    })?;
    Ok(Policy::from_toml(&path.display().to_string(), &text)?)
}

/// One number from standard input; the buffer is wiped when dropped.
fn read_identity() -> Result<IdentityNumber, CliError> {
    let mut input = Zeroizing::new(String::new());
    std::io::stdin()
        .take(256)
        .read_to_string(&mut input)
        .map_err(CliError::Stdin)?;
    let line = input.lines().next().unwrap_or("");
    Ok(IdentityNumber::parse(line)?)
}

fn print_for_a_person(answer: &Answer) {
    let verdict = if answer.allowed {
        "발급 가능"
    } else {
        "발급 불가"
    };
    println!("{verdict}: {}", answer.message);
    if let Some(identity) = &answer.identity {
        let note = match identity.check_digit {
            CheckDigit::Valid => "",
            CheckDigit::Mismatch => " (검증번호 불일치: 신분증을 다시 확인하세요)",
        };
        println!("신분: {}{note}", identity.masked);
    }
    if !answer.next.is_empty() {
        let dates: Vec<String> = answer.next.iter().map(|d| ko::date(*d)).collect();
        println!("다음 신청 가능일: {}", dates.join(", "));
    }
    let shares: Vec<String> = answer
        .amount_shares
        .iter()
        .map(|s| format!("{} {}", s.label, s.krw))
        .collect();
    match answer.basis {
        Basis::Person => println!(
            "1인당 {} ({}), 세대 합계 {}",
            answer.amount_per_person_krw,
            shares.join(" + "),
            answer.amount_household_krw
        ),
        Basis::Household => println!(
            "세대당 {} ({})",
            answer.amount_household_krw,
            shares.join(" + ")
        ),
    }
}

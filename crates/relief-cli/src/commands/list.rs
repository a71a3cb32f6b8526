//! `relief list --day D | --beneficiary-key HEX | --rrn-stdin`.

use std::path::Path;

use relief_core::identity::{BeneficiaryKey, IdentityNumber};
use relief_store::IssuanceRecord;

use super::answer;
use crate::cli::ListArgs;
use crate::error::CliError;
use crate::terminal::{self, Input};

pub fn run(dir: Option<&Path>, args: ListArgs, json: bool) -> Result<(), CliError> {
    let mut input = Input::default();
    let mut store = terminal::open_for(dir, &args.actor, &mut input)?;
    let at = terminal::now(&store, args.actor.at)?;
    terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
    let records = match (args.day, &args.beneficiary_key) {
        (Some(day), _) => store.issuances_on(day)?,
        (None, Some(hex)) => {
            let key = BeneficiaryKey::from_hex(hex.trim())
                .map_err(|_| CliError::Input("수급자 키는 16진수 64자입니다".into()))?;
            store.issuances_for(&key)?
        }
        (None, None) => {
            let id = IdentityNumber::parse(&input.line("주민등록번호")?)?;
            store.issuances_for(&store.beneficiary_key(&id))?
        }
    };
    answer(json, &records, || describe(&records))
}

fn describe(records: &[IssuanceRecord]) -> String {
    if records.is_empty() {
        return "발급 내역이 없습니다".to_owned();
    }
    records
        .iter()
        .map(|r| {
            let people: Vec<String> = r
                .beneficiaries
                .iter()
                .map(|b| format!("{} {}", b.masked, b.name))
                .collect();
            let cards: Vec<String> = r
                .cards
                .iter()
                .map(|c| format!("{} {}", c.serial, c.activation.label()))
                .collect();
            format!(
                "{}  {}  {}  {}  [카드 {}]  {}{}",
                r.issued_at.format("%Y-%m-%d %H:%M"),
                r.id,
                r.total,
                people.join(", "),
                cards.join(", "),
                r.clerk_id,
                match &r.void {
                    Some(v) => format!("  [취소: {}]", v.reason),
                    None => String::new(),
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

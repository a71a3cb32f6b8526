//! `relief stock receive|show|adjust`.

use std::path::Path;

use relief_core::Krw;
use relief_store::{SerialSpec, StockSummary};

use super::answer;
use crate::cli::StockCommand;
use crate::error::CliError;
use crate::terminal::{self, Input};

pub fn run(dir: Option<&Path>, command: StockCommand, json: bool) -> Result<(), CliError> {
    let mut input = Input::default();
    let actor = match &command {
        StockCommand::Receive(args) => &args.actor,
        StockCommand::Show(args) => &args.actor,
        StockCommand::Adjust(args) => &args.actor,
    };
    let mut store = terminal::open_for(dir, actor, &mut input)?;
    match command {
        StockCommand::Receive(args) => {
            let at = terminal::now(&store, args.actor.at)?;
            let who =
                terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
            let serials = match (args.first, args.last, args.list) {
                (Some(first), Some(last), _) => SerialSpec::Range { first, last },
                (_, _, Some(list)) => SerialSpec::List(list),
                _ => {
                    return Err(CliError::Input(
                        "--first/--last 또는 --list가 필요합니다".into(),
                    ));
                }
            };
            let received =
                store.receive_stock(&who, &serials, Krw(args.face_value), &args.note, at)?;
            answer(json, &received, || {
                format!(
                    "입고 완료: {}장 (권면 {}), 입고 번호 {}",
                    received.count, received.face_value, received.batch_id
                )
            })
        }
        StockCommand::Show(args) => {
            let at = terminal::now(&store, args.actor.at)?;
            terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
            let stock = store.stock()?;
            answer(
                json,
                &serde_json::json!({ "on_hand": stock.on_hand(), "by_face_value": stock.by_face_value }),
                || describe(&stock),
            )
        }
        StockCommand::Adjust(args) => {
            let at = terminal::now(&store, args.actor.at)?;
            let who =
                terminal::sign_in(&mut store, &mut input, &args.actor.clerk, "RELIEF_PIN", at)?;
            let state = store.adjust_stock(&who, &args.serial, args.to, &args.reason, at)?;
            answer(
                json,
                &serde_json::json!({ "serial": args.serial, "state": state }),
                || format!("카드 {}: {}", args.serial, state.label()),
            )
        }
    }
}

fn describe(stock: &StockSummary) -> String {
    let mut lines = vec![format!("보유 카드: {}장", stock.on_hand())];
    for s in &stock.by_face_value {
        lines.push(format!(
            "권면 {}: 재고 {} (회수 {} 포함), 발급 {}, 훼손 {}, 분실 {} / 입고 {}",
            s.face_value,
            s.on_hand(),
            s.returned,
            s.issued,
            s.damaged,
            s.lost,
            s.received
        ));
    }
    lines.join("\n")
}

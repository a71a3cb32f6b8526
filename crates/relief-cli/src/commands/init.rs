//! `relief init`: sets a terminal up for a site.

use std::path::Path;

use relief_core::identity::CampaignSecret;
use relief_core::policy::builtin;
use relief_store::{NewClerk, Role, Store, TerminalSetup};
use serde_json::json;
use zeroize::Zeroizing;

use super::answer;
use crate::cli::{InitArgs, RecoverArgs};
use crate::error::CliError;
use crate::terminal::{self, Input};

/// The campaign secret comes from RELIEF_CAMPAIGN_SECRET or standard input
/// (hex); a demo terminal without one makes one up. The first supervisor's
/// PIN follows (RELIEF_NEW_PIN or the next line). The recovery code is
/// shown once, here.
pub fn run(dir: Option<&Path>, args: InitArgs, json: bool) -> Result<(), CliError> {
    let (policy_file, policy_text) = match &args.policy {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path).map_err(|source| CliError::PolicyUnreadable {
                path: path.clone(),
                source,
            })?,
        ),
        None => (
            "policies/gyeonggi-2020.toml".to_owned(),
            builtin::GYEONGGI_2020.to_owned(),
        ),
    };
    let mut input = Input::default();
    let secret = match std::env::var("RELIEF_CAMPAIGN_SECRET") {
        Ok(hex) => CampaignSecret::from_hex(&hex)?,
        Err(_) if args.demo => relief_store::generate_secret(),
        Err(_) => CampaignSecret::from_hex(&input.line("캠페인 비밀키")?)?,
    };
    let pin = input.secret("RELIEF_NEW_PIN", "첫 감독자의 PIN")?;
    let pin = Zeroizing::new(pin.trim().to_owned());
    // Checked before anything is written: a refused PIN leaves no store.
    if !relief_store::SUPERVISOR_PIN_DIGITS.contains(&pin.len())
        || !pin.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(relief_store::Error::WeakSupervisorPin.into());
    }
    let path = terminal::store_path(dir)?;
    let at = chrono::Local::now().naive_local();
    let (mut store, recovery) = Store::init(
        &path,
        TerminalSetup {
            eupmyeondong: args.eupmyeondong,
            site_code: args.site_code,
            site_name: args.site_name,
            site_type: args.site_type,
            sigungu: args.sigungu,
            demo: args.demo,
            policy_file,
            policy_text,
            secret,
        },
        at,
    )?;
    let supervisor = store.add_clerk(
        None,
        NewClerk {
            employee_id: args.supervisor,
            name: args.supervisor_name,
            role: Role::Supervisor,
            pin,
        },
        at,
    )?;
    let site = store.site();
    let policy = &store.policy().campaign;
    let recovery = recovery.to_printed();
    answer(
        json,
        &json!({
            "site": site,
            "campaign": { "id": policy.id, "version": policy.version },
            "store": path,
            "supervisor": supervisor.employee_id,
            "recovery_code": recovery.as_str(),
        }),
        || {
            format!(
                "단말기 설정 완료: {} ({}, {}) / {} {}\n저장 위치: {}\n감독자: {} {}\n\n복구 코드 (지금 한 번만 표시됩니다. 적어서 금고에 보관하세요):\n  {}\n감독자가 PIN을 잊으면 이 코드로 보관함을 열고 새 PIN을 정합니다 (relief recover).",
                site.name,
                site.site_type.label(),
                site.sigungu,
                policy.name,
                policy.version,
                path.display(),
                supervisor.employee_id,
                supervisor.name,
                recovery.as_str(),
            )
        },
    )
}

/// `relief recover`: the recovery code opens the store once; the supervisor
/// gets a new PIN (and key slot), and a new code replaces the used one.
pub fn recover(dir: Option<&Path>, args: RecoverArgs, json: bool) -> Result<(), CliError> {
    let mut input = Input::default();
    let code = input.secret("RELIEF_RECOVERY_CODE", "복구 코드")?;
    let pin = input.secret("RELIEF_NEW_PIN", "새 PIN")?;
    let path = terminal::store_path(dir)?;
    let at = chrono::Local::now().naive_local();
    let (_, fresh) = Store::recover(&path, &code, &args.supervisor, pin.trim(), at)?;
    let fresh = fresh.to_printed();
    answer(
        json,
        &json!({ "supervisor": args.supervisor.trim(), "recovery_code": fresh.as_str() }),
        || {
            format!(
                "{}의 새 PIN을 정했습니다. 쓴 복구 코드는 더 이상 쓸 수 없습니다.\n\n새 복구 코드 (지금 한 번만 표시됩니다. 적어서 금고에 보관하세요):\n  {}",
                args.supervisor.trim(),
                fresh.as_str()
            )
        },
    )
}

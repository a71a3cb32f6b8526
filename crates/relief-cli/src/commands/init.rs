//! `relief init`: sets a terminal up for a site.

use std::path::Path;

use relief_core::identity::CampaignSecret;
use relief_core::policy::builtin;
use relief_store::{Store, TerminalSetup};
use serde_json::json;

use super::answer;
use crate::cli::InitArgs;
use crate::error::CliError;
use crate::terminal::{self, Input};

/// The campaign secret comes from RELIEF_CAMPAIGN_SECRET or standard input
/// (hex); a demo terminal without one makes one up.
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
    let secret = match std::env::var("RELIEF_CAMPAIGN_SECRET") {
        Ok(hex) => CampaignSecret::from_hex(&hex)?,
        Err(_) if args.demo => relief_store::generate_secret(),
        Err(_) => CampaignSecret::from_hex(&Input::default().line("캠페인 비밀키")?)?,
    };
    let path = terminal::store_path(dir)?;
    let store = Store::init(
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
        chrono::Local::now().naive_local(),
    )?;
    let site = store.site();
    let policy = &store.policy().campaign;
    answer(
        json,
        &json!({ "site": site, "campaign": { "id": policy.id, "version": policy.version }, "store": path }),
        || {
            format!(
                "단말기 설정 완료: {} ({}, {}) / {} {}\n저장 위치: {}",
                site.name,
                site.site_type.label(),
                site.sigungu,
                policy.name,
                policy.version,
                path.display()
            )
        },
    )
}

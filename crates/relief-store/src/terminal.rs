//! The terminal's profile: which site it serves, the campaign in force and
//! its secret. Written once by `init`, read at every open.

use std::path::Path;

use chrono::NaiveDateTime;
use relief_core::identity::CampaignSecret;
use relief_core::policy::Policy;
use relief_core::{Sigungu, SiteType};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::keys::{DataKey, Holder, KeyFile, RecoveryCode, key_file_path};
use crate::{Store, encrypt, schema, snapshot, time};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteProfile {
    pub code: String,
    pub name: String,
    pub site_type: SiteType,
    pub sigungu: Sigungu,
    /// A center's own 읍면동, as the resident roll names it.
    pub eupmyeondong: Option<String>,
    /// A demo terminal may be told what time it is; a production one never.
    pub demo: bool,
    pub created_at: NaiveDateTime,
}

impl SiteProfile {
    pub fn as_site(&self) -> relief_core::Site {
        relief_core::Site {
            kind: self.site_type,
            sigungu: self.sigungu,
        }
    }
}

pub struct TerminalSetup {
    pub site_code: String,
    pub site_name: String,
    pub site_type: SiteType,
    pub sigungu: Sigungu,
    /// A center's own 읍면동, as the resident roll names it.
    pub eupmyeondong: Option<String>,
    pub demo: bool,
    /// Where the policy came from, for people reading the record.
    pub policy_file: String,
    pub policy_text: String,
    pub secret: CampaignSecret,
}

impl Store {
    /// Creates the store for a site, encrypted under a new data key whose
    /// only slot, until the first supervisor is added, is the recovery
    /// code returned here, to be printed once. Refuses a store that
    /// already has one.
    pub fn init(
        path: &Path,
        setup: TerminalSetup,
        at: NaiveDateTime,
    ) -> Result<(Store, RecoveryCode)> {
        let policy = Policy::from_toml(&setup.policy_file, &setup.policy_text)?;
        if !policy.covers(setup.sigungu) {
            return Err(Error::UnknownSigungu(setup.sigungu));
        }
        for (field, text) in [
            ("사이트 코드", &setup.site_code),
            ("사이트 이름", &setup.site_name),
        ] {
            if text.trim().is_empty() {
                return Err(Error::Missing { field });
            }
        }
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return Err(Error::AlreadyInitialized);
        }
        // Made aside and moved into place whole: a power cut during `init`
        // leaves no half-made store, and `init` can simply run again.
        let making = encrypt::sibling(path, "initialising");
        encrypt::remove_database(&making)?;
        let key = DataKey::generate();
        let mut conn = schema::open(&making, Some(&key))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO site (id, site_code, site_name, site_type, sigungu, demo, created_at, eupmyeondong)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                setup.site_code.trim(),
                setup.site_name.trim(),
                setup.site_type.code(),
                setup.sigungu.to_string(),
                setup.demo,
                time::format(at),
                setup
                    .eupmyeondong
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
            ],
        )?;
        tx.execute(
            "INSERT INTO campaign_policy (campaign_id, version, file_name, content, installed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                policy.campaign.id,
                policy.campaign.version,
                setup.policy_file,
                setup.policy_text,
                time::format(at)
            ],
        )?;
        tx.execute(
            "INSERT INTO campaign_secret (campaign_id, secret) VALUES (?1, ?2)",
            params![policy.campaign.id, setup.secret.expose_bytes()],
        )?;
        let content = snapshot::terminal(&tx)?;
        audit::append(&tx, at, None, Action::Init, "site", &content)?;
        tx.commit()?;
        drop(conn);

        let code = RecoveryCode::generate();
        let mut keys = KeyFile::new(setup.demo);
        keys.seal(Holder::Recovery, &key, code.secret())?;
        let file = key_file_path(path);
        keys.write(&file)?;
        encrypt::move_into_place(&making, path)?;
        Ok((Store::open_with(path, file, key)?, code))
    }
}

pub(crate) fn load_site(conn: &rusqlite::Connection) -> Result<Option<SiteProfile>> {
    let row = conn
        .query_row(
            "SELECT site_code, site_name, site_type, sigungu, demo, created_at, eupmyeondong FROM site WHERE id = 1",
            [],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, bool>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, Option<String>>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((code, name, site_type, sigungu, demo, created_at, eupmyeondong)) = row else {
        return Ok(None);
    };
    Ok(Some(SiteProfile {
        code,
        name,
        site_type: site_type.parse()?,
        sigungu: sigungu
            .parse()
            .map_err(|_| Error::Corrupt(format!("시군 {sigungu:?}")))?,
        eupmyeondong,
        demo,
        created_at: time::parse(&created_at)?,
    }))
}

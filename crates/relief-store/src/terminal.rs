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
use crate::{Store, schema, snapshot, time};

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
    /// Opens an initialised store, applying pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = schema::open(path)?;
        let site = load_site(&conn)?.ok_or(Error::NotInitialized)?;
        let (file, text): (String, String) = conn.query_row(
            "SELECT file_name, content FROM campaign_policy ORDER BY id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let policy = Policy::from_toml(&file, &text)?;
        let secret: Vec<u8> = conn.query_row(
            "SELECT secret FROM campaign_secret WHERE campaign_id = ?1",
            [&policy.campaign.id],
            |row| row.get(0),
        )?;
        let secret =
            CampaignSecret::from_bytes(secret).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(Store {
            conn,
            site,
            policy,
            secret,
        })
    }

    /// Creates the store for a site. Refuses a store that already has one.
    pub fn init(path: &Path, setup: TerminalSetup, at: NaiveDateTime) -> Result<Store> {
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
        let mut conn = schema::open(path)?;
        if load_site(&conn)?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
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
        Store::open(path)
    }
}

fn load_site(conn: &rusqlite::Connection) -> Result<Option<SiteProfile>> {
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

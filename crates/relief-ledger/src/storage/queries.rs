//! Every statement the ledger runs, typed. Written once for both dialects.

use super::row::{all, first};
use super::{Db, FromRow, Param, Row, StorageError, column_error};

type Result<T> = std::result::Result<T, StorageError>;

// --- keys, tokens, campaigns

pub fn signing_key(db: &mut dyn Db) -> Result<Option<Vec<u8>>> {
    db.query_opt("SELECT signing_key FROM ledger_key WHERE id = 1", &[])?
        .map(|r| r.bytes("signing_key"))
        .transpose()
}

pub fn insert_signing_key(db: &mut dyn Db, key: &[u8]) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO ledger_key (id, signing_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        &[key.into()],
    )? == 1)
}

pub fn insert_admin_token(db: &mut dyn Db, hash: &[u8], at: &str) -> Result<()> {
    db.exec(
        "INSERT INTO admin_token (token_hash, created_at) VALUES ($1, $2)",
        &[hash.into(), at.into()],
    )?;
    Ok(())
}

pub fn is_admin_token(db: &mut dyn Db, hash: &[u8]) -> Result<bool> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM admin_token WHERE token_hash = $1",
            &[hash.into()],
        )?
        .is_some())
}

pub struct CampaignRow {
    pub id: String,
    pub secret: Vec<u8>,
}

impl FromRow for CampaignRow {
    fn from_row(r: &Row) -> Result<CampaignRow> {
        Ok(CampaignRow {
            id: r.text("id")?,
            secret: r.bytes("secret")?,
        })
    }
}

pub fn insert_campaign(db: &mut dyn Db, id: &str, secret: &[u8], at: &str) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO campaign (id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        &[id.into(), secret.into(), at.into()],
    )? == 1)
}

pub fn campaign(db: &mut dyn Db, id: &str) -> Result<Option<CampaignRow>> {
    first(db.query_opt(
        "SELECT id, secret FROM campaign WHERE id = $1",
        &[id.into()],
    )?)
}

pub fn campaign_ids(db: &mut dyn Db) -> Result<Vec<String>> {
    db.query("SELECT id FROM campaign ORDER BY created_at, id", &[])?
        .iter()
        .map(|r| r.text("id"))
        .collect()
}

pub struct PolicyRow {
    pub campaign_id: String,
    pub version: String,
    pub toml: String,
    pub signature: String,
}

impl FromRow for PolicyRow {
    fn from_row(r: &Row) -> Result<PolicyRow> {
        Ok(PolicyRow {
            campaign_id: r.text("campaign_id")?,
            version: r.text("version")?,
            toml: r.text("toml")?,
            signature: r.text("signature")?,
        })
    }
}

pub fn insert_policy(db: &mut dyn Db, p: &PolicyRow, at: &str) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO campaign_policy (campaign_id, version, toml, signature, published_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (campaign_id, version) DO NOTHING",
        &[(&p.campaign_id).into(), (&p.version).into(), (&p.toml).into(), (&p.signature).into(), at.into()],
    )? == 1)
}

/// The policy published last for a campaign.
pub fn current_policy(db: &mut dyn Db, campaign_id: &str) -> Result<Option<PolicyRow>> {
    first(db.query_opt(
        "SELECT campaign_id, version, toml, signature FROM campaign_policy WHERE campaign_id = $1 ORDER BY id DESC LIMIT 1",
        &[campaign_id.into()],
    )?)
}

// --- enrollment and terminals

pub struct SiteRow {
    pub code: String,
    pub name: String,
    pub site_type: String,
    pub sigungu: String,
}

impl FromRow for SiteRow {
    fn from_row(r: &Row) -> Result<SiteRow> {
        Ok(SiteRow {
            code: r.text("site_code")?,
            name: r.text("site_name")?,
            site_type: r.text("site_type")?,
            sigungu: r.text("sigungu")?,
        })
    }
}

/// What a redeemed enrollment code was made for.
pub struct RedeemedCode {
    pub campaign_id: String,
    pub site: SiteRow,
}

impl FromRow for RedeemedCode {
    fn from_row(r: &Row) -> Result<RedeemedCode> {
        Ok(RedeemedCode {
            campaign_id: r.text("campaign_id")?,
            site: SiteRow::from_row(r)?,
        })
    }
}

pub fn insert_enrollment_code(
    db: &mut dyn Db,
    hash: &[u8],
    campaign_id: &str,
    site: &SiteRow,
    at: &str,
    expires_at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO enrollment_code (code_hash, campaign_id, site_code, site_name, site_type, sigungu, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            hash.into(),
            campaign_id.into(),
            (&site.code).into(),
            (&site.name).into(),
            (&site.site_type).into(),
            (&site.sigungu).into(),
            at.into(),
            expires_at.into(),
        ],
    )?;
    Ok(())
}

/// Marks a code used, once: the UPDATE's condition is the guard, so two
/// redemptions at once cannot both succeed.
pub fn redeem_enrollment_code(
    db: &mut dyn Db,
    hash: &[u8],
    now: &str,
    terminal_id: &str,
) -> Result<Option<RedeemedCode>> {
    let rows = db.query(
        "UPDATE enrollment_code SET redeemed_at = $2, terminal_id = $3
         WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > $2
         RETURNING campaign_id, site_code, site_name, site_type, sigungu",
        &[hash.into(), now.into(), terminal_id.into()],
    )?;
    first(rows.into_iter().next())
}

#[derive(Debug, Clone)]
pub struct TerminalRow {
    pub id: String,
    pub campaign_id: String,
    pub site_code: String,
    pub site_name: String,
    pub site_type: String,
    pub sigungu: String,
    pub next_seq: i64,
}

pub fn insert_terminal(
    db: &mut dyn Db,
    t: &TerminalRow,
    token_hash: &[u8],
    at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO terminal (id, token_hash, campaign_id, site_code, site_name, site_type, sigungu, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            (&t.id).into(),
            token_hash.into(),
            (&t.campaign_id).into(),
            (&t.site_code).into(),
            (&t.site_name).into(),
            (&t.site_type).into(),
            (&t.sigungu).into(),
            at.into(),
        ],
    )?;
    Ok(())
}

impl TerminalRow {
    /// Where this terminal's payments are said to come from.
    pub fn channel(&self) -> Result<relief_core::Channel> {
        self.site_type
            .parse()
            .map_err(|_| column_error("site_type", &self.site_type))
    }
}

impl FromRow for TerminalRow {
    fn from_row(r: &Row) -> Result<TerminalRow> {
        Ok(TerminalRow {
            id: r.text("id")?,
            campaign_id: r.text("campaign_id")?,
            site_code: r.text("site_code")?,
            site_name: r.text("site_name")?,
            site_type: r.text("site_type")?,
            sigungu: r.text("sigungu")?,
            next_seq: r.int("next_seq")?,
        })
    }
}

pub fn terminal_by_token(db: &mut dyn Db, token_hash: &[u8]) -> Result<Option<TerminalRow>> {
    first(db.query_opt(
        "SELECT id, campaign_id, site_code, site_name, site_type, sigungu, next_seq FROM terminal WHERE token_hash = $1",
        &[token_hash.into()],
    )?)
}

pub fn terminal(db: &mut dyn Db, id: &str) -> Result<Option<TerminalRow>> {
    first(db.query_opt(
        "SELECT id, campaign_id, site_code, site_name, site_type, sigungu, next_seq FROM terminal WHERE id = $1",
        &[id.into()],
    )?)
}

/// Holds the terminal's row until the transaction ends (this terminal's
/// pushes take turns where the database has many writers): the sequence
/// number it expects next.
pub fn hold_terminal(db: &mut dyn Db, terminal_id: &str) -> Result<i64> {
    db.query_opt(
        "UPDATE terminal SET next_seq = next_seq WHERE id = $1 RETURNING next_seq",
        &[terminal_id.into()],
    )?
    .map_or(Ok(1), |r| r.int("next_seq"))
}

/// Moves the terminal's expected sequence from `from` to `to`, only if it
/// stands at `from`.
pub fn advance_seq(db: &mut dyn Db, terminal_id: &str, from: i64, to: i64) -> Result<bool> {
    Ok(db.exec(
        "UPDATE terminal SET next_seq = $3 WHERE id = $1 AND next_seq = $2",
        &[terminal_id.into(), from.into(), to.into()],
    )? == 1)
}

// --- events

pub struct StoredEvent {
    pub body_sha256: Vec<u8>,
    /// `None`: accepted.
    pub verdict: Option<String>,
}

impl FromRow for StoredEvent {
    fn from_row(r: &Row) -> Result<StoredEvent> {
        Ok(StoredEvent {
            body_sha256: r.bytes("body_sha256")?,
            verdict: r.opt_text("verdict")?,
        })
    }
}

pub fn event(db: &mut dyn Db, terminal_id: &str, seq: i64) -> Result<Option<StoredEvent>> {
    first(db.query_opt(
        "SELECT body_sha256, verdict FROM event WHERE terminal_id = $1 AND seq = $2",
        &[terminal_id.into(), seq.into()],
    )?)
}

pub fn insert_event(
    db: &mut dyn Db,
    terminal_id: &str,
    seq: i64,
    event_id: &str,
    kind: &str,
    body_sha256: &[u8],
    at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO event (terminal_id, seq, event_id, kind, body_sha256, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[terminal_id.into(), seq.into(), event_id.into(), kind.into(), body_sha256.into(), at.into()],
    )?;
    Ok(())
}

pub fn set_event_verdict(
    db: &mut dyn Db,
    terminal_id: &str,
    seq: i64,
    verdict: &str,
) -> Result<()> {
    db.exec(
        "UPDATE event SET verdict = $3 WHERE terminal_id = $1 AND seq = $2",
        &[terminal_id.into(), seq.into(), verdict.into()],
    )?;
    Ok(())
}

// --- issuances and voids

pub struct IssuanceRow<'a> {
    pub id: &'a str,
    pub terminal: &'a TerminalRow,
    pub issued_at: &'a str,
    pub verification: &'a str,
    pub total_krw: i64,
}

pub fn issuance_terminal(db: &mut dyn Db, id: &str) -> Result<Option<String>> {
    db.query_opt(
        "SELECT terminal_id FROM issuance WHERE id = $1",
        &[id.into()],
    )?
    .map(|r| r.text("terminal_id"))
    .transpose()
}

/// Records an issuance unless its id is taken; returns whether it was recorded.
pub fn insert_issuance(db: &mut dyn Db, i: &IssuanceRow, at: &str) -> Result<bool> {
    Ok(db.exec(
        "INSERT INTO issuance (id, terminal_id, issued_at, verification, total_krw, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        &[
            i.id.into(),
            (&i.terminal.id).into(),
            i.issued_at.into(),
            i.verification.into(),
            i.total_krw.into(),
            at.into(),
        ],
    )? == 1)
}

#[allow(clippy::too_many_arguments)]
pub fn insert_issuance_beneficiary(
    db: &mut dyn Db,
    issuance_id: &str,
    position: i64,
    key: &[u8],
    sigungu: &str,
    household_size: i64,
    amount: i64,
    shares: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO issuance_beneficiary (issuance_id, position, beneficiary_key, sigungu, household_size, amount_krw, shares)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            issuance_id.into(),
            position.into(),
            key.into(),
            sigungu.into(),
            household_size.into(),
            amount.into(),
            shares.into(),
        ],
    )?;
    Ok(())
}

pub fn is_voided(db: &mut dyn Db, issuance_id: &str) -> Result<bool> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM void WHERE issuance_id = $1",
            &[issuance_id.into()],
        )?
        .is_some())
}

pub fn insert_void(
    db: &mut dyn Db,
    issuance_id: &str,
    void_id: &str,
    voided_at: &str,
    reason: &str,
    disposition: &str,
    at: &str,
) -> Result<()> {
    db.exec(
        "INSERT INTO void (issuance_id, void_id, voided_at, reason, card_disposition, received_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[issuance_id.into(), void_id.into(), voided_at.into(), reason.into(), disposition.into(), at.into()],
    )?;
    Ok(())
}

// --- the feed terminals pull

/// A feed row's check value (see `FeedCursor`): random, so that a row
/// written after a restore under a reused id tells itself apart.
pub fn feed_token() -> i64 {
    let bytes = crate::service::random_bytes::<8>();
    i64::from_le_bytes(*bytes) & i64::MAX
}

/// Changes for the feed, gathered while a transaction settles people and
/// written together at its end ([`FeedRows::flush`]): on PostgreSQL the
/// feed's turn is then held only from there to the commit.
#[derive(Debug, Default)]
pub struct FeedRows {
    rows: Vec<FeedRow>,
}

#[derive(Debug)]
enum FeedRow {
    /// Someone paid, and by whom: a terminal (whose own deny-list is not
    /// told) or online (`payer` none).
    Paid {
        campaign: String,
        sigungu: String,
        key: Vec<u8>,
        payer: Option<String>,
        channel: &'static str,
        site: String,
        at: String,
    },
    /// Nobody stands paid any more: every counter of the 시군 drops the
    /// person, the one whose void it was too.
    Released {
        campaign: String,
        sigungu: String,
        key: Vec<u8>,
    },
    /// A conflict changed: both of its terminals pull it.
    Conflict {
        campaign: String,
        id: String,
        a: Option<String>,
        b: Option<String>,
    },
}

/// A payment as the feed tells it.
pub struct FeedPaid<'a> {
    pub campaign_id: &'a str,
    pub sigungu: &'a str,
    pub key: &'a [u8],
    pub payer_terminal: Option<&'a str>,
    pub channel: &'static str,
    pub site: &'a str,
    pub at: &'a str,
}

impl FeedRows {
    pub fn paid(&mut self, f: &FeedPaid) {
        self.rows.push(FeedRow::Paid {
            campaign: f.campaign_id.to_owned(),
            sigungu: f.sigungu.to_owned(),
            key: f.key.to_vec(),
            payer: f.payer_terminal.map(str::to_owned),
            channel: f.channel,
            site: f.site.to_owned(),
            at: f.at.to_owned(),
        });
    }

    pub fn released(&mut self, campaign: &str, sigungu: &str, key: &[u8]) {
        self.rows.push(FeedRow::Released {
            campaign: campaign.to_owned(),
            sigungu: sigungu.to_owned(),
            key: key.to_vec(),
        });
    }

    pub fn conflict(&mut self, campaign: &str, id: &str, a: Option<&str>, b: Option<&str>) {
        self.rows.push(FeedRow::Conflict {
            campaign: campaign.to_owned(),
            id: id.to_owned(),
            a: a.map(str::to_owned),
            b: b.map(str::to_owned),
        });
    }

    /// Writes what was gathered, in order, a table at a time: the last
    /// thing a transaction does before it commits.
    pub fn flush(&mut self, db: &mut dyn Db) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        db.lock_feed()?;
        let tokens: Vec<i64> = self.rows.iter().map(|_| feed_token()).collect();
        let mut params: Vec<Param> = Vec::with_capacity(self.rows.len() * 12);
        let none = Param::Text(None);
        for (row, token) in self.rows.iter().zip(&tokens) {
            params.extend::<[Param; 12]>(match row {
                FeedRow::Paid {
                    campaign,
                    sigungu,
                    key,
                    payer,
                    channel,
                    site,
                    at,
                } => [
                    campaign.into(),
                    "paid".into(),
                    sigungu.into(),
                    key.into(),
                    payer.as_deref().into(),
                    (*channel).into(),
                    site.into(),
                    at.into(),
                    none,
                    none,
                    none,
                    (*token).into(),
                ],
                FeedRow::Released {
                    campaign,
                    sigungu,
                    key,
                } => [
                    campaign.into(),
                    "released".into(),
                    sigungu.into(),
                    key.into(),
                    none,
                    none,
                    none,
                    none,
                    none,
                    none,
                    none,
                    (*token).into(),
                ],
                FeedRow::Conflict { campaign, id, a, b } => [
                    campaign.into(),
                    "conflict".into(),
                    none,
                    Param::Bytes(None),
                    none,
                    none,
                    none,
                    none,
                    id.into(),
                    a.as_deref().into(),
                    b.as_deref().into(),
                    (*token).into(),
                ],
            });
        }
        super::batch::insert(
            db,
            "feed (campaign_id, kind, sigungu, beneficiary_key, payer_terminal, channel, site, at, conflict_id, terminal_a, terminal_b, token)",
            12,
            &params,
        )?;
        self.rows.clear();
        Ok(())
    }
}

pub struct DenyRow {
    pub id: i64,
    pub token: i64,
    pub paid: bool,
    pub key: Vec<u8>,
    pub channel: Option<String>,
    pub site: Option<String>,
    pub at: Option<String>,
}

impl FromRow for DenyRow {
    fn from_row(r: &Row) -> Result<DenyRow> {
        Ok(DenyRow {
            id: r.int("id")?,
            paid: r.text("kind")? == "paid",
            key: r.bytes("beneficiary_key")?,
            channel: r.opt_text("channel")?,
            site: r.opt_text("site")?,
            at: r.opt_text("at")?,
            token: r.int("token")?,
        })
    }
}

/// Keys paid or released in a 시군 after a cursor, except those whose
/// payment `terminal` made itself.
pub fn deny_page(
    db: &mut dyn Db,
    campaign: &str,
    sigungu: &str,
    terminal: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<DenyRow>> {
    all(db.query(
        "SELECT id, kind, beneficiary_key, channel, site, at, token FROM feed
         WHERE campaign_id = $1 AND sigungu = $2 AND id > $4 AND kind IN ('paid', 'released')
           AND (payer_terminal IS NULL OR payer_terminal <> $3)
         ORDER BY id LIMIT $5",
        &[
            campaign.into(),
            sigungu.into(),
            terminal.into(),
            after.into(),
            limit.into(),
        ],
    )?)
}

/// A feed row saying a conflict changed.
pub struct ConflictChange {
    /// The feed row's.
    pub id: i64,
    pub conflict_id: String,
}

impl FromRow for ConflictChange {
    fn from_row(r: &Row) -> Result<ConflictChange> {
        Ok(ConflictChange {
            id: r.int("id")?,
            conflict_id: r.text("conflict_id")?,
        })
    }
}

/// Conflicts concerning `terminal` that changed after a cursor.
pub fn conflict_page(
    db: &mut dyn Db,
    terminal: &str,
    after: i64,
    before: i64,
) -> Result<Vec<ConflictChange>> {
    all(db.query(
        "SELECT id, conflict_id FROM feed WHERE kind = 'conflict' AND id > $2 AND id <= $3 AND terminal_a = $1
         UNION
         SELECT id, conflict_id FROM feed WHERE kind = 'conflict' AND id > $2 AND id <= $3 AND terminal_b = $1
         ORDER BY 1",
        &[terminal.into(), after.into(), before.into()],
    )?)
}

/// Where the feed stands: its last row's id and check value, both 0 for an
/// empty feed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedHead {
    pub id: i64,
    pub token: i64,
}

impl FromRow for FeedHead {
    fn from_row(r: &Row) -> Result<FeedHead> {
        Ok(FeedHead {
            id: r.int("id")?,
            token: r.int("token")?,
        })
    }
}

/// The last row of the feed.
pub fn feed_head(db: &mut dyn Db) -> Result<FeedHead> {
    Ok(
        first(db.query_opt("SELECT id, token FROM feed ORDER BY id DESC LIMIT 1", &[])?)?
            .unwrap_or_default(),
    )
}

/// The check value of the feed row `id`, if there is such a row.
pub fn feed_row_token(db: &mut dyn Db, id: i64) -> Result<Option<i64>> {
    db.query_opt("SELECT token FROM feed WHERE id = $1", &[id.into()])?
        .map(|r| r.int("token"))
        .transpose()
}

// --- the province's view of a day

pub struct SummaryRow {
    pub sigungu: String,
    pub site_code: String,
    pub site_name: String,
    pub issuances: i64,
    pub offline: i64,
    pub beneficiaries: i64,
    pub amount_krw: i64,
    pub voided: i64,
}

impl FromRow for SummaryRow {
    fn from_row(r: &Row) -> Result<SummaryRow> {
        Ok(SummaryRow {
            sigungu: r.text("sigungu")?,
            site_code: r.text("site_code")?,
            site_name: r.text("site_name")?,
            issuances: r.int("issuances")?,
            offline: r.int("offline")?,
            beneficiaries: r.int("beneficiaries")?,
            amount_krw: r.int("amount_krw")?,
            voided: r.int("voided")?,
        })
    }
}

pub fn day_summary(
    db: &mut dyn Db,
    campaign: &str,
    start: &str,
    end: &str,
) -> Result<Vec<SummaryRow>> {
    all(db.query(
        "SELECT t.sigungu, t.site_code, t.site_name,
                count(DISTINCT i.id) AS issuances,
                count(DISTINCT CASE WHEN i.verification = 'offline' THEN i.id END) AS offline,
                count(b.position) AS beneficiaries,
                CAST(coalesce(sum(b.amount_krw), 0) AS BIGINT) AS amount_krw,
                count(DISTINCT v.issuance_id) AS voided
         FROM issuance i
         JOIN terminal t ON t.id = i.terminal_id
         JOIN issuance_beneficiary b ON b.issuance_id = i.id
         LEFT JOIN void v ON v.issuance_id = i.id
         WHERE t.campaign_id = $1 AND i.issued_at >= $2 AND i.issued_at < $3
         GROUP BY t.sigungu, t.site_code, t.site_name
         ORDER BY t.sigungu, t.site_code",
        &[campaign.into(), start.into(), end.into()],
    )?)
}

/// How many conflicts were detected over a site's payments.
pub struct SiteConflicts {
    pub site_code: String,
    pub conflicts: i64,
}

impl FromRow for SiteConflicts {
    fn from_row(r: &Row) -> Result<SiteConflicts> {
        Ok(SiteConflicts {
            site_code: r.text("site_code")?,
            conflicts: r.int("conflicts")?,
        })
    }
}

pub fn conflicts_detected_between(
    db: &mut dyn Db,
    campaign: &str,
    start: &str,
    end: &str,
) -> Result<Vec<SiteConflicts>> {
    all(db.query(
        "SELECT t.site_code, count(*) AS conflicts FROM conflict c
         JOIN issuance i ON i.id = c.other_issuance_id JOIN terminal t ON t.id = i.terminal_id
         WHERE c.campaign_id = $1 AND c.detected_at >= $2 AND c.detected_at < $3 GROUP BY t.site_code",
        &[campaign.into(), start.into(), end.into()],
    )?)
}

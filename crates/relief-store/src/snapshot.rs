//! Canonical snapshots of what a change wrote, for the audit chain. The
//! same function makes the snapshot when the change is recorded and again
//! when the chain is verified, so any later difference in the rows shows.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ToSql};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::audit::Action;
use crate::error::Result;

/// Columns added after rows were first recorded, left out of a snapshot
/// while empty: a row written before they existed snapshots as it did
/// when its entry was made, and its entry still verifies.
const ADDED_LATER: &[&str] = &[
    "roll_version",
    "eupmyeondong",
    "booked_on",
    "offline_approval_id",
];

/// Every column of every row a query returns, as JSON objects. Keys sort
/// (serde_json's map is ordered), so the text is canonical.
fn rows(conn: &Connection, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<Value>> {
    let mut statement = conn.prepare_cached(sql)?;
    let names: Vec<String> = statement
        .column_names()
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    let mut rows = statement.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut object = Map::new();
        for (i, name) in names.iter().enumerate() {
            let value = match row.get_ref(i)? {
                ValueRef::Null if ADDED_LATER.contains(&name.as_str()) => continue,
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => json!(n),
                ValueRef::Real(x) => json!(x),
                ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                ValueRef::Blob(b) => json!(hex::encode(b)),
            };
            object.insert(name.clone(), value);
        }
        out.push(Value::Object(object));
    }
    Ok(out)
}

fn text(value: Value) -> String {
    value.to_string()
}

/// The site and the policy it was set up with.
pub(crate) fn terminal(conn: &Connection) -> Result<String> {
    let content: String = conn.query_row(
        "SELECT content FROM campaign_policy ORDER BY id LIMIT 1",
        [],
        |row| row.get(0),
    )?;
    Ok(text(json!({
        "site": rows(conn, "SELECT * FROM site", &[])?,
        "policy": rows(conn, "SELECT id, campaign_id, version, file_name, installed_at
                               FROM campaign_policy ORDER BY id LIMIT 1", &[])?,
        "policy_sha256": hex::encode(Sha256::digest(content.as_bytes())),
    })))
}

pub(crate) fn clerk(conn: &Connection, employee_id: &str) -> Result<String> {
    // The PIN hash changes when a PIN is reset; the entry records who the
    // clerk is, not their secret.
    Ok(text(json!(rows(
        conn,
        "SELECT employee_id, name, role, added_at, added_by FROM clerk WHERE employee_id = ?1",
        &[&employee_id]
    )?)))
}

pub(crate) fn clerk_removal(conn: &Connection, employee_id: &str) -> Result<String> {
    Ok(text(json!(rows(
        conn,
        "SELECT * FROM clerk_removal WHERE employee_id = ?1",
        &[&employee_id]
    )?)))
}

pub(crate) fn issuance(conn: &Connection, id: &str) -> Result<String> {
    let mut snapshot = json!({
        "issuance": rows(conn, "SELECT * FROM issuance WHERE id = ?1", &[&id])?,
        "beneficiaries": rows(conn, "SELECT * FROM issuance_beneficiary WHERE issuance_id = ?1 ORDER BY position", &[&id])?,
        "shares": rows(conn, "SELECT * FROM beneficiary_share WHERE issuance_id = ?1 ORDER BY position, source", &[&id])?,
        "cards": rows(conn, "SELECT * FROM issuance_card WHERE issuance_id = ?1 ORDER BY position", &[&id])?,
        "card_events": rows(conn, "SELECT * FROM card_event WHERE cause = 'issue' AND cause_id = ?1 ORDER BY id", &[&id])?,
        "outbox": rows(conn, "SELECT * FROM outbox WHERE subject_id = ?1", &[&id])?,
    });
    // Only where there is one, so that issuances recorded before visits
    // were kept snapshot as they did.
    let visit = rows(
        conn,
        "SELECT * FROM visit_end WHERE issuance_id = ?1",
        &[&id],
    )?;
    if !visit.is_empty() {
        snapshot["visit_end"] = json!(visit);
    }
    // Likewise the roll's exceptions, kept since the roll.
    let exceptions = rows(
        conn,
        "SELECT * FROM roll_exception WHERE issuance_id = ?1 ORDER BY position",
        &[&id],
    )?;
    if !exceptions.is_empty() {
        snapshot["roll_exceptions"] = json!(exceptions);
    }
    Ok(text(snapshot))
}

pub(crate) fn visit(conn: &Connection, id: &str) -> Result<String> {
    Ok(text(json!(rows(
        conn,
        "SELECT * FROM visit WHERE id = ?1",
        &[&id]
    )?)))
}

pub(crate) fn visit_end(conn: &Connection, id: &str) -> Result<String> {
    Ok(text(json!({
        "visit_end": rows(conn, "SELECT * FROM visit_end WHERE visit_id = ?1", &[&id])?,
        "outbox": rows(conn, "SELECT * FROM outbox WHERE subject_id = ?1", &[&id])?,
    })))
}

pub(crate) fn void(conn: &Connection, id: &str) -> Result<String> {
    Ok(text(json!({
        "void": rows(conn, "SELECT * FROM void WHERE id = ?1", &[&id])?,
        "card_events": rows(conn, "SELECT * FROM card_event WHERE cause = 'void' AND cause_id = ?1 ORDER BY id", &[&id])?,
        "outbox": rows(conn, "SELECT * FROM outbox WHERE subject_id = ?1", &[&id])?,
    })))
}

/// A batch can hold many thousands of serials: the snapshot keeps their
/// count and a digest rather than the list.
pub(crate) fn batch(conn: &Connection, batch_id: &str) -> Result<String> {
    let mut digest = Sha256::new();
    let mut statement = conn.prepare_cached(
        "SELECT c.serial, e.id, e.state, e.at, e.actor FROM card c
         JOIN card_event e ON e.serial = c.serial AND e.cause = 'receive' AND e.cause_id = ?1
         WHERE CAST(c.batch_id AS TEXT) = ?1 ORDER BY c.serial",
    )?;
    let mut count = 0u64;
    let mut rows_ = statement.query([batch_id])?;
    while let Some(row) = rows_.next()? {
        let line = format!(
            "{}\t{}\t{}\t{}\t{}\n",
            row.get::<_, String>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?
        );
        digest.update(line.as_bytes());
        count += 1;
    }
    Ok(text(json!({
        "batch": rows(conn, "SELECT * FROM card_batch WHERE CAST(id AS TEXT) = ?1", &[&batch_id])?,
        "cards": count,
        "cards_sha256": hex::encode(digest.finalize()),
    })))
}

pub(crate) fn adjustment(conn: &Connection, id: &str) -> Result<String> {
    Ok(text(json!(rows(
        conn,
        "SELECT * FROM card_event WHERE cause = 'adjust' AND cause_id = ?1 ORDER BY id",
        &[&id]
    )?)))
}

/// The enrollment, with the token as a digest: the audit log is no place
/// for a credential.
pub(crate) fn enrollment(conn: &Connection) -> Result<String> {
    let token: String = conn.query_row("SELECT token FROM enrollment WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    Ok(text(json!({
        "enrollment": rows(conn, "SELECT ledger_url, terminal_id, ledger_key, enrolled_at, enrolled_by FROM enrollment", &[])?,
        "token_sha256": hex::encode(Sha256::digest(token.as_bytes())),
    })))
}

pub(crate) fn policy(conn: &Connection, id: &str) -> Result<String> {
    let content: String = conn.query_row(
        "SELECT content FROM campaign_policy WHERE CAST(id AS TEXT) = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(text(json!({
        "policy": rows(conn, "SELECT id, campaign_id, version, file_name, installed_at FROM campaign_policy
                              WHERE CAST(id AS TEXT) = ?1", &[&id])?,
        "policy_sha256": hex::encode(Sha256::digest(content.as_bytes())),
    })))
}

pub(crate) fn resolution(conn: &Connection, id: &str) -> Result<String> {
    Ok(text(json!({
        "resolution": rows(conn, "SELECT * FROM conflict_resolution WHERE id = ?1", &[&id])?,
        "outbox": rows(conn, "SELECT * FROM outbox WHERE subject_id = ?1", &[&id])?,
    })))
}

/// The snapshot an entry of `action` about `subject` should hold now, for
/// actions that record rows; `None` for those that record only themselves.
/// A day's close: its counts, the adjustments it made, and the SHA-256
/// of the report as stored now, beside the one the close recorded, so a
/// report changed afterwards shows.
pub(crate) fn day_close(conn: &Connection, id: &str) -> Result<String> {
    let report: Vec<u8> =
        conn.query_row("SELECT report FROM day_close WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    Ok(text(json!({
        "close": rows(conn, "SELECT id, day, closed_at, closed_by, reason, unsent, unsent_reason, report_sha256
                              FROM day_close WHERE id = ?1", &[&id])?,
        "report_digest": hex::encode(Sha256::digest(&report)),
        "drawer": rows(conn, "SELECT * FROM day_close_count WHERE close_id = ?1 ORDER BY face_value", &[&id])?,
        "adjustments": rows(conn, "SELECT * FROM card_event WHERE cause = 'adjust' AND cause_id = ?1 ORDER BY id", &[&id])?,
    })))
}

pub(crate) fn day_reopen(conn: &Connection, close_id: &str) -> Result<String> {
    Ok(text(json!(rows(
        conn,
        "SELECT * FROM day_reopen WHERE close_id = ?1",
        &[&close_id]
    )?)))
}

/// An approval as opened: what its close leaves alone.
pub(crate) fn offline_approval_opened(conn: &Connection, id: &str) -> Result<String> {
    Ok(text(json!(rows(
        conn,
        "SELECT id, opened_by, opened_at, until, max_issuances FROM offline_approval WHERE id = ?1",
        &[&id]
    )?)))
}

/// An approval as closed: all of it.
pub(crate) fn offline_approval_closed(conn: &Connection, id: &str) -> Result<String> {
    Ok(text(json!(rows(
        conn,
        "SELECT * FROM offline_approval WHERE id = ?1",
        &[&id]
    )?)))
}

pub(crate) fn recompute(
    conn: &Connection,
    action: Action,
    subject: &str,
) -> Result<Option<String>> {
    Ok(Some(match action {
        Action::Init => terminal(conn)?,
        Action::Issued => issuance(conn, subject)?,
        Action::Voided => void(conn, subject)?,
        Action::StockReceived => batch(conn, subject)?,
        Action::StockAdjusted => adjustment(conn, subject)?,
        Action::Enrolled => enrollment(conn)?,
        Action::PolicyInstalled => policy(conn, subject)?,
        Action::ConflictResolved => resolution(conn, subject)?,
        Action::VisitOpened => visit(conn, subject)?,
        Action::VisitEnded => visit_end(conn, subject)?,
        Action::DayClosed => day_close(conn, subject)?,
        Action::DayReopened => day_reopen(conn, subject)?,
        Action::ClerkRemoved => clerk_removal(conn, subject)?,
        Action::OfflineApprovalOpened => offline_approval_opened(conn, subject)?,
        Action::OfflineApprovalClosed => offline_approval_closed(conn, subject)?,
        // Clerks change (a PIN reset, a new role) and sign-ins live only in
        // the chain: the entry itself is the record.
        Action::ClerkAdded
        | Action::SignIn
        | Action::SignInFailed
        | Action::PinReset
        | Action::StoreEncrypted
        | Action::Purged => return Ok(None),
    }))
}

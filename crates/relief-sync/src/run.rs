//! Sync as the counter runs it: push what waits, pull what changed, claim
//! before handing over a card. Each function locks the store only to read
//! or write, never across a request.

use std::sync::Mutex;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use chrono::NaiveDateTime;
use relief_protocol::Outcome;
use relief_store::{Enrollment, PullBatch, Session, Store};
use serde::Serialize;

use tokio_util::task::AbortOnDropHandle;

use crate::client::{Client, SyncError};

/// How hard to try before giving up for now.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub attempts: usize,
}

impl Default for Retry {
    /// About a minute of trying, with jitter so that a province of terminals
    /// coming back after an outage does not knock in step.
    fn default() -> Self {
        Retry {
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            attempts: 10,
        }
    }
}

impl Retry {
    /// One try: for the counter, which must not wait.
    pub const ONCE: Retry = Retry {
        first_delay: Duration::from_millis(0),
        max_delay: Duration::from_millis(0),
        attempts: 0,
    };

    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.attempts)
            .with_jitter()
    }
}

pub(crate) fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(crate) fn now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// The client for an enrolled terminal.
pub fn client_for(enrollment: &Enrollment, timeout: Duration) -> Result<Client, SyncError> {
    Client::new(&enrollment.ledger_url, Some(&enrollment.token), timeout)
}

/// Redeems an enrollment code and records what the ledger gave.
pub async fn enroll(
    store: &Mutex<Store>,
    supervisor: &Session,
    ledger_url: &str,
    code: &str,
    fingerprint: Option<&str>,
    at: NaiveDateTime,
) -> Result<Enrollment, SyncError> {
    let client = Client::new(ledger_url, None, Duration::from_secs(30))?;
    let answer = client.enroll(code).await?;
    Ok(lock(store).enroll(supervisor, ledger_url, &answer, fingerprint, at)?)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PushReport {
    pub sent: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// The ledger had lost events it had acknowledged (it was restored
    /// from an earlier copy): they were sent again from this number.
    pub resent_from: Option<u64>,
}

/// How long a push may take before it counts as unanswered.
const PUSH_TIMEOUT: Duration = Duration::from_secs(30);

/// Pushes every pending event, in batches, retrying with backoff. The
/// retries resend what the store already holds: nothing new is written
/// locally to make them happen. A ledger that expects an earlier event
/// than the first unacknowledged one has lost what it acknowledged: the
/// terminal sends it again from there, and the ledger records it once.
pub async fn push_pending(
    store: &Mutex<Store>,
    retry: Retry,
    batch: usize,
) -> Result<PushReport, SyncError> {
    push_within(store, retry, batch, PUSH_TIMEOUT, None).await
}

/// One quick push, right after a counter action, while the ledger
/// answers; a failure leaves the events for the next sync.
pub async fn push_now(store: &Mutex<Store>, timeout: Duration) -> Result<PushReport, SyncError> {
    push_within(store, Retry::ONCE, 100, timeout, None).await
}

async fn push_within(
    store: &Mutex<Store>,
    retry: Retry,
    batch: usize,
    timeout: Duration,
    from: Option<u64>,
) -> Result<PushReport, SyncError> {
    let mut report = PushReport::default();
    // Where to send from once the ledger has said it lost events.
    let mut resend: Option<u64> = from;
    if let Some(from) = from {
        report.resent_from = Some(from);
    }
    loop {
        let (enrollment, events) = {
            let store = lock(store);
            let enrollment = store
                .enrollment()?
                .ok_or(relief_store::Error::NotEnrolled)?;
            let events = match resend {
                None => store.pending_events(batch)?,
                Some(from) => store.events_from(from, batch)?,
            };
            (enrollment, events)
        };
        let Some(first) = events.first().map(|e| e.seq) else {
            return Ok(report);
        };
        let client = client_for(&enrollment, timeout)?;
        let count = events.len() as u64;
        let send = || {
            let events = events.clone();
            let client = client.clone();
            let terminal = enrollment.terminal_id.clone();
            async move { client.push(&terminal, events).await }
        };
        let response = send
            .retry(retry.backoff())
            .sleep(tokio::time::sleep)
            .when(SyncError::is_transient)
            .notify(|error, delay| tracing::warn!(%error, ?delay, "push failed; retrying"))
            .await?;
        if response.verdicts.is_empty() {
            if response.next_seq < first && resend != Some(response.next_seq) {
                tracing::warn!(
                    expected = response.next_seq,
                    first,
                    "the ledger lost events it had acknowledged; sending them again"
                );
                report.resent_from.get_or_insert(response.next_seq);
                resend = Some(response.next_seq);
                continue;
            }
            return Err(SyncError::Protocol(format!(
                "원장 서버는 {}번부터 기다리는데 단말기의 첫 미전송 이벤트는 {first}번입니다",
                response.next_seq
            )));
        }
        lock(store).record_verdicts(&response.verdicts, now())?;
        if resend.is_some() {
            resend = Some(response.next_seq);
        }
        report.sent += count.min(response.verdicts.len() as u64);
        for verdict in &response.verdicts {
            match verdict.outcome {
                Outcome::Accepted => report.accepted += 1,
                Outcome::Duplicate { .. } => report.duplicates += 1,
                Outcome::Rejected { .. } => report.rejected += 1,
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PullReport {
    pub pages: u64,
    pub deny_changes: u64,
    pub conflicts: u64,
    /// What the ledger said anew of this terminal's cards.
    pub cards: u64,
    pub policy_installed: Option<String>,
    /// The ledger's feed no longer held this terminal's cursor (it was
    /// restored from an earlier copy): the deny-list was rebuilt.
    pub reset: bool,
    /// The next event the ledger expects from this terminal.
    pub ledger_expects: u64,
    /// The resident roll's changes, fetched after the feed's.
    pub roll: crate::RollReport,
}

/// How many deny-list changes to gather before writing them: a whole 시군
/// (수원 has 1.2 million residents) in one sorted transaction, at about 60
/// bytes each in memory.
const APPLY_EVERY: usize = 1_500_000;

/// Pulls every page after the store's cursor.
pub async fn pull_all(
    store: &Mutex<Store>,
    retry: Retry,
    limit: u32,
) -> Result<PullReport, SyncError> {
    let mut report = PullReport::default();
    let (enrollment, cursor, version) = {
        let store = lock(store);
        let enrollment = store
            .enrollment()?
            .ok_or(relief_store::Error::NotEnrolled)?;
        let cursor = store.sync_status()?.pull_cursor;
        (enrollment, cursor, store.policy().campaign.version.clone())
    };
    let client = client_for(&enrollment, Duration::from_secs(60))?;
    // Each page is asked for as soon as the one before it names where it
    // starts, so the ledger prepares it while this terminal reads the last.
    let fetch = |cursor: relief_protocol::FeedCursor| {
        let (client, version) = (client.clone(), version.clone());
        let ask = move || {
            let (client, version) = (client.clone(), version.clone());
            async move { client.pull(cursor, limit, &version).await }
        };
        AbortOnDropHandle::new(tokio::spawn(
            ask.retry(retry.backoff())
                .sleep(tokio::time::sleep)
                .when(SyncError::is_transient),
        ))
    };
    let mut asked = fetch(cursor);
    let mut gathered = PullBatch::default();
    loop {
        let arrived = match asked.await {
            Ok(arrived) => arrived?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Cancelled: the runtime is shutting down.
            Err(e) => return Err(SyncError::Unreachable(e.to_string())),
        };
        let next = arrived.more_from.map(fetch);
        let page = arrived.decode()?;
        report.pages += 1;
        report.deny_changes += page.deny.len() as u64;
        report.conflicts += page.conflicts.len() as u64;
        report.cards += page.cards.len() as u64;
        if let Some(policy) = &page.policy {
            report.policy_installed = Some(policy.version.clone());
        }
        report.reset |= page.reset;
        report.ledger_expects = page.next_seq;
        let (more, next_cursor) = (page.more, page.next_cursor);
        gathered.add(page)?;
        if !more || gathered.deny.len() >= APPLY_EVERY {
            lock(store).apply_pull(std::mem::take(&mut gathered), now())?;
        }
        if !more {
            return Ok(report);
        }
        asked = next.unwrap_or_else(|| fetch(next_cursor));
    }
}

/// Push, then pull. A failure is noted in the store for the status bar.
/// Should the pull say the ledger expects events this terminal had already
/// sent (it was restored from an earlier copy), they are sent again.
pub async fn sync_once(
    store: &Mutex<Store>,
    retry: Retry,
) -> Result<(PushReport, PullReport), SyncError> {
    let outcome = async {
        let mut pushed = push_pending(store, retry, 500).await?;
        let mut pulled = pull_all(store, retry, relief_protocol::MAX_PULL_LIMIT).await?;
        pulled.roll = crate::download_roll(store, retry, crate::ROLL_PAGE, |_| {}).await?;
        let head = lock(store).outbox_head()?;
        if pulled.ledger_expects <= head {
            tracing::warn!(
                expects = pulled.ledger_expects,
                head,
                "the ledger lost events it had acknowledged; sending them again"
            );
            let again =
                push_within(store, retry, 500, PUSH_TIMEOUT, Some(pulled.ledger_expects)).await?;
            pushed.sent += again.sent;
            pushed.accepted += again.accepted;
            pushed.duplicates += again.duplicates;
            pushed.rejected += again.rejected;
            pushed.resent_from = again.resent_from;
        }
        Ok::<_, SyncError>((pushed, pulled))
    }
    .await;
    if let Err(error) = &outcome {
        let _ = lock(store).record_sync_failure(&error.to_string());
    }
    outcome
}

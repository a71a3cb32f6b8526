//! Downloading the resident roll: page after page from where the store's
//! copy stopped, each checked and applied by the store before the next is
//! asked for, so that a download cut at any point goes on from there.

use std::sync::Mutex;
use std::time::Duration;

use backon::Retryable;
use relief_protocol::RollCursor;
use relief_store::Store;
use serde::Serialize;
use tokio_util::task::AbortOnDropHandle;

use crate::client::SyncError;
use crate::run::{Retry, client_for, lock, now};

/// People per page: about 3 MB of JSON.
pub const ROLL_PAGE: u32 = 20_000;

/// How far a download has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RollProgress {
    /// The version being downloaded.
    pub target: u64,
    pub received: u64,
    /// How many the download brings in all, once its first page said.
    pub expected: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RollReport {
    /// The version the copy holds now (0: the ledger has no roll yet).
    pub version: u64,
    /// The version before, when this download raised it.
    pub updated_from: Option<u64>,
    pub pages: u64,
    pub people: u64,
}

/// Brings the store's copy of the roll up to the ledger's latest version.
/// Each page is asked for as soon as the one before names where it starts
/// (a header, before its body is read), so that the ledger reads and
/// sends it while this terminal checks and applies the last. A page that
/// was asked for ahead and does not follow (the store refused the one
/// before) is dropped; the next round asks again from the store's place.
pub async fn download_roll(
    store: &Mutex<Store>,
    retry: Retry,
    limit: u32,
    mut progress: impl FnMut(RollProgress),
) -> Result<RollReport, SyncError> {
    let (enrollment, start) = {
        let store = lock(store);
        let enrollment = store
            .enrollment()?
            .ok_or(relief_store::Error::NotEnrolled)?;
        (enrollment, store.roll_copy()?.version)
    };
    let client = client_for(&enrollment, Duration::from_secs(60))?;
    let fetch = |from: u64, upto: Option<u64>, after: RollCursor| {
        let client = client.clone();
        let ask = move || {
            let (client, after) = (client.clone(), after.clone());
            async move { client.roll(from, upto, &after, limit).await }
        };
        AbortOnDropHandle::new(tokio::spawn(
            ask.retry(retry.backoff())
                .sleep(tokio::time::sleep)
                .when(SyncError::is_transient),
        ))
    };
    let mut report = RollReport {
        version: start,
        ..RollReport::default()
    };
    let mut ahead: Option<(u64, Option<u64>, RollCursor, AbortOnDropHandle<_>)> = None;
    loop {
        let copy = lock(store).roll_copy()?;
        let (from, upto, after) = copy.next_request();
        let asked = match ahead.take() {
            Some((f, u, a, handle)) if (f, u, &a) == (from, upto, &after) => handle,
            _ => fetch(from, upto, after.clone()),
        };
        let arrived = match asked.await {
            Ok(arrived) => arrived?,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(SyncError::Unreachable(e.to_string())),
        };
        if let Some((upto, next)) = &arrived.more_from {
            ahead = Some((
                from,
                Some(*upto),
                next.clone(),
                fetch(from, Some(*upto), next.clone()),
            ));
        }
        let page = arrived.decode()?;
        if copy.download.is_none() && page.upto_version == from {
            // Nothing newer at the ledger.
            return Ok(report);
        }
        let (target, expected) = (page.upto_version, page.total);
        let applied = lock(store).apply_roll_page(&page, now())?;
        report.pages += 1;
        report.people += applied.people;
        let received = copy.download.as_ref().map_or(0, |d| d.received) + applied.people;
        progress(RollProgress {
            target,
            received,
            expected: expected.or(copy.download.and_then(|d| d.expected)),
        });
        if applied.completed {
            report.updated_from.get_or_insert(start);
            report.version = target;
            // A newer version may have completed meanwhile: go on to it.
        }
    }
}

//! A visit at the counter, written once for the app and the command line:
//! the rules checked here first, the visit recorded, every beneficiary
//! claimed at the ledger for it, the offline path when (and only when) the
//! ledger cannot be reached, the issuance recorded, and the visit ended
//! whenever no card was handed over.
//!
//! An answer from the ledger is an answer: a refusal of the request (a
//! 4xx: an unknown terminal, a malformed request) is an error, never a
//! reason to issue offline. Once an issuance is recorded its claims are
//! never let go of from here; they end with its push.

use std::sync::Mutex;
use std::time::Duration;

use chrono::NaiveDateTime;
use relief_core::identity::BeneficiaryKey;
use relief_protocol::{ClaimResponse, ClaimResult};
use relief_store::{IssueRequest, Issued, Session, Store, Verification};
use zeroize::Zeroizing;

use crate::client::SyncError;
use crate::run::{client_for, lock, push_now};

/// How long the counter waits for the ledger's answer before it goes the
/// offline way.
pub const CLAIM_TIMEOUT: Duration = Duration::from_secs(3);

/// A supervisor's id and PIN, for an offline issuance the policy wants
/// approved. Signed in only if the visit does go offline.
pub struct Approver {
    pub employee_id: String,
    pub pin: Zeroizing<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Issue offline without asking the ledger (`relief issue --offline`).
    pub offline: bool,
    pub claim_timeout: Duration,
    /// Push the issuance at once, waiting for it (the command line); the
    /// app instead wakes its background sync.
    pub push_now: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            offline: false,
            claim_timeout: CLAIM_TIMEOUT,
            push_now: true,
        }
    }
}

/// The issuance, and why it was made offline if it was.
#[derive(Debug, Clone)]
pub struct Visited {
    pub issued: Issued,
    pub offline_because: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// Refused by the rules, the store or the ledger (as a store error:
    /// paid elsewhere, being served elsewhere), or a fault of the store.
    #[error(transparent)]
    Store(#[from] relief_store::Error),
    /// The ledger refused the request itself.
    #[error(transparent)]
    Ledger(SyncError),
}

impl VisitError {
    pub fn code(&self) -> &'static str {
        match self {
            VisitError::Store(e) => e.code().code(),
            VisitError::Ledger(e) => e.code(),
        }
    }
}

impl From<SyncError> for VisitError {
    fn from(error: SyncError) -> VisitError {
        match error {
            SyncError::Store(e) => VisitError::Store(e),
            other => VisitError::Ledger(other),
        }
    }
}

/// Serves one visitor. `request.verification` and `request.visit` are set
/// here; `at` is the counter's clock.
pub async fn issue(
    store: &Mutex<Store>,
    clerk: &Session,
    mut request: IssueRequest,
    approver: Option<Approver>,
    options: Options,
    at: NaiveDateTime,
) -> Result<Visited, VisitError> {
    let (people, enrolled) = {
        let mut store = lock(store);
        store.end_stale_visits(at)?;
        // Everything the store would refuse is refused before the ledger
        // is asked, so that a refusal here holds nobody there.
        store.check_issue(&request, at)?;
        let people = request
            .beneficiaries
            .iter()
            .map(|b| store.beneficiary_of(&b.who))
            .collect::<Result<Vec<_>, _>>()?;
        (people, store.enrollment()?.is_some())
    };
    let keys: Vec<BeneficiaryKey> = people.iter().map(|(key, _)| *key).collect();
    if options.offline || !enrolled {
        let because = if options.offline {
            "오프라인 발급을 선택했습니다"
        } else {
            "원장 서버에 등록되지 않은 단말기입니다"
        };
        return offline(store, clerk, request, approver, because.into(), at);
    }
    let visit = lock(store).open_visit(clerk, at)?;
    request.visit = Some(visit.clone());
    // Whether the ledger can have heard the claim: unless the connection
    // itself failed, it may hold it, and must hear of the visit's end.
    let mut asked = true;
    let outcome = match claim(store, &visit, &keys, options.claim_timeout).await {
        Err(error) if error.is_transient() => {
            asked = !matches!(error, SyncError::NotConnected(_));
            let because = error.to_string();
            tracing::warn!(%error, "the ledger did not answer the claim; the offline way");
            offline(store, clerk, request, approver, because, at)
        }
        Err(error) => Err(error.into()),
        Ok(answer) => match refusal(store, &people, &answer) {
            Err(error) => Err(error),
            Ok(Some(refused)) => Err(refused.into()),
            Ok(None) => {
                request.verification = Verification::Online;
                let issued = lock(store).issue(clerk, request, at);
                issued
                    .map(|issued| Visited {
                        issued,
                        offline_because: None,
                    })
                    .map_err(VisitError::from)
            }
        },
    };
    match outcome {
        Ok(visited) => {
            if options.push_now
                && let Err(error) = push_now(store, options.claim_timeout).await
            {
                tracing::info!(%error, "the issuance waits for the next sync");
            }
            Ok(visited)
        }
        Err(error) => {
            // No card was handed over: the visit ends, and the ledger
            // lets go of whatever it holds for it. The reason is the
            // error's code: its message may name or mask a person, which
            // is not the ledger's to keep.
            let reason = error.code();
            let ended = lock(store).end_visit(&visit, reason, asked, at);
            if let Err(e) = ended {
                tracing::error!(error = %e, "a visit could not be ended; the next one ends it");
            } else if options.push_now && asked {
                let _ = push_now(store, options.claim_timeout).await;
            }
            Err(error)
        }
    }
}

/// Asks the ledger to hold every beneficiary for this visit. Should it
/// say that this very terminal paid someone the store knows it voided
/// since (the void waits in the outbox), the outbox goes first and the
/// ledger is asked once more.
async fn claim(
    store: &Mutex<Store>,
    visit: &str,
    keys: &[BeneficiaryKey],
    timeout: Duration,
) -> Result<ClaimResponse, SyncError> {
    let enrollment = lock(store)
        .enrollment()?
        .ok_or(relief_store::Error::NotEnrolled)?;
    let client = client_for(&enrollment, timeout)?;
    let answer = client.claim(visit, keys).await?;
    let our_void_waits = answer.results.iter().any(|r| {
        matches!(r, ClaimResult::AlreadyPaid { yours: true, key, .. }
            if key_paid_here(store, key) == Some(false))
    });
    if !our_void_waits {
        return Ok(answer);
    }
    push_now(store, timeout).await?;
    client.claim(visit, keys).await
}

/// Whether this store has an issuance for the key that is not voided.
fn key_paid_here(store: &Mutex<Store>, hex: &str) -> Option<bool> {
    let key = BeneficiaryKey::from_hex(hex).ok()?;
    let paid = lock(store).paid(&key).ok()?;
    Some(matches!(paid, Some(relief_store::Paid::Here { .. })))
}

/// The first beneficiary the ledger would not hold, as the store's
/// refusal; `None` when every one is held for this visit.
fn refusal(
    store: &Mutex<Store>,
    people: &[(BeneficiaryKey, relief_core::identity::MaskedId)],
    answer: &ClaimResponse,
) -> Result<Option<relief_store::Error>, VisitError> {
    if answer.results.len() != people.len()
        || answer
            .results
            .iter()
            .zip(people)
            .any(|(r, (k, _))| r.key() != k.to_hex())
    {
        return Err(VisitError::Ledger(SyncError::Protocol(format!(
            "{}명을 확인했는데 답은 {}건이고 순서가 요청과 같아야 합니다",
            people.len(),
            answer.results.len()
        ))));
    }
    let site_name = lock(store).site().name.clone();
    for (result, (_, masked)) in answer.results.iter().zip(people) {
        let masked = masked.to_string();
        match result {
            ClaimResult::Granted { .. } => {}
            // Not kept on the deny-list here: that holds the ledger's feed
            // as pulled, which a restored ledger can take back; a word
            // kept aside from it would outlive what it said.
            ClaimResult::AlreadyPaid { paid, .. } => {
                return Ok(Some(relief_store::Error::PaidElsewhere {
                    masked,
                    channel: paid.channel,
                    site: paid.site.clone(),
                    paid_at: paid.at.format("%Y-%m-%d %H:%M").to_string(),
                }));
            }
            ClaimResult::ClaimedElsewhere { paid, yours, .. } => {
                return Ok(Some(relief_store::Error::BeingServed {
                    masked,
                    site: if *yours {
                        format!("이 창구({site_name})의 다른 방문")
                    } else {
                        paid.site.clone()
                    },
                    since: paid.at.format("%H:%M").to_string(),
                }));
            }
        }
    }
    Ok(None)
}

/// Issues without the ledger, as the policy's offline mode says.
fn offline(
    store: &Mutex<Store>,
    clerk: &Session,
    mut request: IssueRequest,
    approver: Option<Approver>,
    because: String,
    at: NaiveDateTime,
) -> Result<Visited, VisitError> {
    let mut store = lock(store);
    let approver = match approver {
        Some(a) => Some(store.sign_in(&a.employee_id, &a.pin, at)?),
        None => None,
    };
    request.verification = Verification::Offline { approver };
    let issued = store.issue(clerk, request, at)?;
    Ok(Visited {
        issued,
        offline_because: Some(because),
    })
}

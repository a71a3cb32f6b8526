//! One typed method per ledger endpoint.

use std::sync::OnceLock;
use std::time::Duration;

use rustls_platform_verifier::ConfigVerifierExt;

use bytes::Bytes;
use relief_core::identity::BeneficiaryKey;
use relief_protocol::{
    API_PREFIX, Ack, AckRequest, AckResponse, ActivationPage, ClaimRequest, ClaimResponse,
    EnrollRequest, EnrollResponse, ErrorBody, Event, FeedCursor, PULL_MORE_FROM, PullResponse,
    PushRequest, PushResponse, ROLL_MORE_FROM, RollCursor, RollPage,
};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The ledger could not be reached or did not answer in time, or failed
    /// on its side: try again later.
    #[error("원장 서버에 연결할 수 없습니다: {0}")]
    Unreachable(String),
    /// Not even a connection: the request never left, so the ledger
    /// cannot have acted on it.
    #[error("원장 서버에 연결할 수 없습니다: {0}")]
    NotConnected(String),
    /// The ledger answered and refused the request itself: trying again
    /// will not help, and an answer is an answer (it is not "offline").
    #[error("원장 서버가 거부했습니다 ({code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("원장 서버의 응답을 이해할 수 없습니다: {0}")]
    Protocol(String),
    #[error("{0}")]
    Store(#[from] relief_store::Error),
}

impl SyncError {
    /// A stable code for programs to classify by (the command line's JSON,
    /// a visit's end at the ledger).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Unreachable(_) | SyncError::NotConnected(_) => "ledger_unreachable",
            SyncError::Refused { .. } => "ledger_refused",
            SyncError::Protocol(_) => "ledger_protocol",
            SyncError::Store(e) => e.code().code(),
        }
    }

    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Unreachable(_) | SyncError::NotConnected(_))
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// The TLS settings: building them reads the system's root certificates,
/// tens of milliseconds, so once a process rather than once a request (a
/// claim at the counter makes a client).
fn tls() -> Result<rustls::ClientConfig, SyncError> {
    static TLS: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    TLS.get_or_init(|| {
        // Our TLS uses ring; install it once for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        rustls::ClientConfig::with_platform_verifier().map_err(|e| e.to_string())
    })
    .clone()
    .map_err(SyncError::Protocol)
}

impl Client {
    /// A client for `base` (e.g. `http://127.0.0.1:8700`), giving up on a
    /// request after `timeout`.
    pub fn new(base: &str, token: Option<&str>, timeout: Duration) -> Result<Client, SyncError> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls()?)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("relief-counter/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: token.map(str::to_owned),
        })
    }

    pub fn with_timeout(&self, timeout: Duration) -> Result<Client, SyncError> {
        Client::new(&self.base, self.token.as_deref(), timeout)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{API_PREFIX}{path}", self.base)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let (_, body) = self.exchange(request).await?;
        decode(&body)
    }

    /// Sends a request; a success's headers and body, or the refusal.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(HeaderMap, Bytes), SyncError> {
        let request = match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.map_err(|e| {
            if e.is_connect() {
                SyncError::NotConnected(e.to_string())
            } else {
                SyncError::Unreachable(e.to_string())
            }
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| SyncError::Unreachable(e.to_string()))?;
        if status.is_success() {
            return Ok((headers, body));
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(SyncError::Unreachable(format!("HTTP {status}")));
        }
        let error: ErrorBody = serde_json::from_slice(&body).unwrap_or(ErrorBody {
            error: "http".into(),
            message: String::from_utf8_lossy(&body).into_owned(),
        });
        Err(SyncError::Refused {
            status: status.as_u16(),
            code: error.error,
            message: error.message,
        })
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, SyncError> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    pub async fn enroll(&self, code: &str) -> Result<EnrollResponse, SyncError> {
        self.post(
            "/enroll",
            &EnrollRequest {
                code: code.to_owned(),
            },
        )
        .await
    }

    pub async fn claim(
        &self,
        visit_id: &str,
        keys: &[BeneficiaryKey],
    ) -> Result<ClaimResponse, SyncError> {
        self.post(
            "/claims",
            &ClaimRequest {
                visit_id: visit_id.to_owned(),
                keys: keys.iter().map(BeneficiaryKey::to_hex).collect(),
            },
        )
        .await
    }

    pub async fn push(
        &self,
        terminal_id: &str,
        events: Vec<Event>,
    ) -> Result<PushResponse, SyncError> {
        self.post(
            "/push",
            &PushRequest {
                terminal_id: terminal_id.to_owned(),
                events,
            },
        )
        .await
    }

    /// One page of changes after `cursor`, not yet decoded: its header
    /// tells where the next page starts before the body is read.
    pub async fn pull(
        &self,
        cursor: FeedCursor,
        limit: u32,
        policy_version: &str,
    ) -> Result<PullPage, SyncError> {
        let url = reqwest::Url::parse_with_params(
            &self.url("/pull"),
            &[
                ("cursor", cursor.to_string()),
                ("limit", limit.to_string()),
                ("policy_version", policy_version.to_owned()),
            ],
        )
        .map_err(|e| SyncError::Protocol(e.to_string()))?;
        let (headers, body) = self.exchange(self.http.get(url)).await?;
        let more_from = match headers.get(PULL_MORE_FROM) {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .ok()
                    .and_then(|text| text.parse().ok())
                    .ok_or_else(|| {
                        SyncError::Protocol(format!("{PULL_MORE_FROM} 헤더 {value:?}"))
                    })?,
            ),
        };
        Ok(PullPage { more_from, body })
    }
}

/// The card issuer's side, under its own credential: what to load and
/// activate or block, and its confirmations.
impl Client {
    pub async fn activations(&self, cursor: u64, limit: u32) -> Result<ActivationPage, SyncError> {
        let url = reqwest::Url::parse_with_params(
            &self.url("/activations"),
            &[("cursor", cursor.to_string()), ("limit", limit.to_string())],
        )
        .map_err(|e| SyncError::Protocol(e.to_string()))?;
        self.send(self.http.get(url)).await
    }

    pub async fn acknowledge(&self, acks: Vec<Ack>) -> Result<AckResponse, SyncError> {
        self.post("/activations/ack", &AckRequest { acks }).await
    }
}

impl Client {
    /// One page of the resident roll of this terminal's 시군: from the
    /// version held to `upto` (the ledger's latest when not given), after
    /// `after`.
    pub async fn roll(
        &self,
        from: u64,
        upto: Option<u64>,
        after: &RollCursor,
        limit: u32,
    ) -> Result<RollArrived, SyncError> {
        let mut query = vec![
            ("from", from.to_string()),
            ("after", after.to_string()),
            ("limit", limit.to_string()),
        ];
        if let Some(upto) = upto {
            query.push(("upto", upto.to_string()));
        }
        let url = reqwest::Url::parse_with_params(&self.url("/roll"), &query)
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        let (headers, body) = self.exchange(self.http.get(url)).await?;
        let more_from = match headers.get(ROLL_MORE_FROM) {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .ok()
                    .and_then(relief_protocol::roll::parse_more_from)
                    .ok_or_else(|| {
                        SyncError::Protocol(format!("{ROLL_MORE_FROM} 헤더 {value:?}"))
                    })?,
            ),
        };
        Ok(RollArrived { more_from, body })
    }
}

/// A roll page as it arrived.
#[derive(Debug, Clone)]
pub struct RollArrived {
    /// The version and place the next page starts at, when there is one.
    pub more_from: Option<(u64, RollCursor)>,
    body: Bytes,
}

impl RollArrived {
    pub fn decode(&self) -> Result<RollPage, SyncError> {
        let page: RollPage = decode(&self.body)?;
        let said = page.next.clone().map(|next| (page.upto_version, next));
        if self.more_from.is_some() && self.more_from != said {
            return Err(SyncError::Protocol(format!(
                "{ROLL_MORE_FROM} 헤더와 본문의 다음 위치가 다릅니다"
            )));
        }
        Ok(page)
    }
}

/// A pull page as it arrived.
#[derive(Debug, Clone)]
pub struct PullPage {
    /// Where the next page starts, when there is one.
    pub more_from: Option<FeedCursor>,
    body: Bytes,
}

impl PullPage {
    pub fn decode(&self) -> Result<PullResponse, SyncError> {
        let page: PullResponse = decode(&self.body)?;
        if let Some(from) = self.more_from
            && !(page.more && page.next_cursor == from)
        {
            return Err(SyncError::Protocol(format!(
                "{PULL_MORE_FROM} 헤더({from})와 본문(next_cursor {}, more {})이 다릅니다",
                page.next_cursor, page.more
            )));
        }
        Ok(page)
    }
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SyncError> {
    serde_json::from_slice(body).map_err(|e| SyncError::Protocol(e.to_string()))
}

//! A faulty network between a terminal and the ledger: an HTTP/1.1 proxy
//! that drops requests, drops or cuts responses half-way, delays, and sends
//! requests twice, at the rates the test sets.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Chances, each in percent, tried in this order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Only requests whose path starts so meet the faults; the rest pass.
    pub only: Option<&'static str>,
    /// The ledger's answer, made up: a status and a JSON body, sent back
    /// without the request going on.
    pub answer: Option<(u16, &'static str)>,
    /// The request never reaches the ledger.
    pub drop_request: u32,
    /// The ledger does the work; the answer never comes back.
    pub drop_response: u32,
    /// Half the answer comes back, then the line goes dead.
    pub cut_response: u32,
    /// The request reaches the ledger twice.
    pub duplicate: u32,
    /// The request waits this long first.
    pub delay: u32,
    pub delay_ms: u64,
}

#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub cut_responses: AtomicU64,
    pub duplicated: AtomicU64,
    pub delayed: AtomicU64,
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    pub faults: Arc<Mutex<Faults>>,
    pub stats: Arc<Stats>,
}

impl FaultProxy {
    /// Listens on a free port and forwards to `upstream`, on the current
    /// tokio runtime.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let faults = Arc::new(Mutex::new(Faults::default()));
        let stats = Arc::new(Stats::default());
        let (f, s) = (faults.clone(), stats.clone());
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let (f, s) = (f.clone(), s.clone());
                tokio::spawn(async move {
                    let _ = serve(client, upstream, f, s).await;
                });
            }
        });
        FaultProxy {
            addr,
            faults,
            stats,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }
}

/// Reads one HTTP message (head and a Content-Length body). `None` at a
/// clean end of stream.
async fn read_message(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut byte = [0u8; 1];
    while !message.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 {
            return Ok(None);
        }
        message.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&message).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse::<usize>().unwrap_or(0));
    let start = message.len();
    message.resize(start + length, 0);
    stream.read_exact(&mut message[start..]).await?;
    Ok(Some(message))
}

async fn forward(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut ledger = TcpStream::connect(upstream).await?;
    ledger.write_all(request).await?;
    read_message(&mut ledger)
        .await?
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the ledger hung up"))
}

fn roll(percent: u32) -> bool {
    percent > 0 && fastrand::u32(0..100) < percent
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    stats: Arc<Stats>,
) -> std::io::Result<()> {
    while let Some(request) = read_message(&mut client).await? {
        stats.requests.fetch_add(1, Ordering::Relaxed);
        let f = *faults.lock().unwrap();
        let path = String::from_utf8_lossy(&request)
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        if f.only.is_some_and(|only| !path.starts_with(only)) {
            client
                .write_all(&forward(upstream, &request).await?)
                .await?;
            continue;
        }
        if let Some((status, body)) = f.answer {
            let reply = format!(
                "HTTP/1.1 {status} Made Up\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            client.write_all(reply.as_bytes()).await?;
            continue;
        }
        if roll(f.delay) {
            stats.delayed.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
        }
        if roll(f.drop_request) {
            stats.dropped_requests.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let response = if roll(f.duplicate) {
            stats.duplicated.fetch_add(1, Ordering::Relaxed);
            let (first, second) =
                tokio::join!(forward(upstream, &request), forward(upstream, &request));
            first.or(second)?
        } else {
            forward(upstream, &request).await?
        };
        if roll(f.drop_response) {
            stats.dropped_responses.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        if roll(f.cut_response) {
            stats.cut_responses.fetch_add(1, Ordering::Relaxed);
            client.write_all(&response[..response.len() / 2]).await?;
            return Ok(());
        }
        client.write_all(&response).await?;
    }
    Ok(())
}

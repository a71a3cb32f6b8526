//! The `relief-ledger` program: `serve`, and the operator's `admin` commands.

use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use relief_protocol::SiteInfo;

use crate::cli::{AdminCommand, Cli, Command, ServeArgs};
use crate::{AnyStorage, Ledger, system_clock};

/// Runs `relief-ledger` with the process's arguments.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("relief-ledger: {message}");
            ExitCode::FAILURE
        }
    }
}

fn open(db: &str) -> Result<Ledger<AnyStorage>, String> {
    let storage = AnyStorage::open(db).map_err(|e| e.to_string())?;
    Ledger::new(storage, system_clock()).map_err(|e| e.to_string())
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Admin(command) => admin(command),
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ledger = Arc::new(open(&args.db.db)?);
    let listener = TcpListener::bind(args.listen)
        .map_err(|e| format!("{}에서 들을 수 없습니다: {e}", args.listen))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if args.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    // Tests and scripts read this line to find the port.
    println!("listening on {scheme}://{address}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    tracing::info!(%address, db = crate::Storage::dialect(ledger.storage()), key = %ledger.ledger_key().fingerprint(), "serving");
    let app = crate::http::router(ledger);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => {
                let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                    .await
                    .map_err(|e| format!("TLS 인증서를 읽을 수 없습니다: {e}"))?;
                let handle = axum_server::Handle::new();
                let stopping = handle.clone();
                tokio::spawn(async move {
                    shutdown().await;
                    stopping.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
                });
                axum_server::from_tcp_rustls(listener, config)
                    .map_err(|e| e.to_string())?
                    .handle(handle)
                    .serve(app.into_make_service())
                    .await
                    .map_err(|e| e.to_string())
            }
            _ => {
                let listener =
                    tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown())
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    })
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = interrupt => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
}

fn admin(command: AdminCommand) -> Result<(), String> {
    match command {
        AdminCommand::Token(args) => {
            let token = open(&args.db.db)?
                .create_token(args.role)
                .map_err(|e| e.to_string())?;
            println!("{token}");
        }
        AdminCommand::Activations(args) => {
            let instructions = open(&args.db.db)?
                .activations_of_day(args.date)
                .map_err(|e| e.to_string())?;
            let mut out = csv::Writer::from_path(&args.out)
                .map_err(|e| format!("{}: {e}", args.out.display()))?;
            let fail = |e: csv::Error| format!("{}: {e}", args.out.display());
            out.write_record([
                "id",
                "serial",
                "action",
                "amount_krw",
                "face_value_krw",
                "at",
            ])
            .map_err(fail)?;
            for i in &instructions {
                let number = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
                out.write_record([
                    i.id.to_string(),
                    i.serial.clone(),
                    i.action.code().to_owned(),
                    number(i.amount_krw),
                    number(i.face_value_krw),
                    relief_protocol::time::format(i.at),
                ])
                .map_err(fail)?;
            }
            out.flush()
                .map_err(|e| format!("{}: {e}", args.out.display()))?;
            println!(
                "카드사 처리 {}건: {}",
                instructions.len(),
                args.out.display()
            );
        }
        AdminCommand::EnrollmentCode(args) => {
            let ledger = open(&args.db.db)?;
            let site = SiteInfo {
                code: args.site_code,
                name: args.site_name,
                site_type: args.site_type,
                sigungu: args.sigungu,
            };
            let code = ledger
                .create_enrollment_code(&site, args.campaign.as_deref())
                .map_err(|e| e.to_string())?;
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string(&code).map_err(|e| e.to_string())?
                );
            } else {
                println!(
                    "등록 코드: {}\n만료: {}\n원장 서버 키 지문: {}",
                    code.code, code.expires_at, code.ledger_key_fingerprint
                );
            }
        }
        AdminCommand::ImportOnline(args) => {
            let ledger = open(&args.db.db)?;
            let file = std::fs::File::open(&args.csv)
                .map_err(|e| format!("{}: {e}", args.csv.display()))?;
            let campaign = ledger
                .campaign_named(args.campaign.as_deref())
                .map_err(|e| e.to_string())?;
            let report = ledger
                .import_online(&campaign, std::io::BufReader::new(file))
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::to_string(&report).map_err(|e| e.to_string())?
            );
        }
        AdminCommand::ImportRoll(args) => {
            let ledger = open(&args.db.db)?;
            let file =
                std::fs::read(&args.csv).map_err(|e| format!("{}: {e}", args.csv.display()))?;
            let campaign = ledger
                .campaign_named(args.campaign.as_deref())
                .map_err(|e| e.to_string())?;
            let report = ledger
                .import_roll(&campaign, &file)
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::to_string(&report).map_err(|e| e.to_string())?
            );
        }
        AdminCommand::WithdrawClaims(args) => {
            let ended = open(&args.db.db)?
                .withdraw_claims(&args.terminal, &args.reason)
                .map_err(|e| e.to_string())?;
            println!(
                "단말기 {}의 진행 중이던 방문 {ended}건의 확인을 거두었습니다",
                args.terminal
            );
        }
        AdminCommand::Purge(args) => {
            let purged = open(&args.db.db)?
                .purge(args.campaign.as_deref())
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::to_string(&purged).map_err(|e| e.to_string())?
            );
        }
        AdminCommand::PublishPolicy(args) => {
            let ledger = open(&args.db.db)?;
            let text = std::fs::read_to_string(&args.policy)
                .map_err(|e| format!("{}: {e}", args.policy.display()))?;
            let signed = ledger.publish_policy(&text).map_err(|e| e.to_string())?;
            println!("게시: {} {}", signed.campaign_id, signed.version);
        }
        AdminCommand::Summary(args) => {
            let ledger = open(&args.db.db)?;
            let summary = ledger
                .day_summary(args.campaign.as_deref(), args.date)
                .map_err(|e| e.to_string())?;
            if args.format == "json" {
                println!(
                    "{}",
                    serde_json::to_string(&summary).map_err(|e| e.to_string())?
                );
                return Ok(());
            }
            let format: relief_report::Format = args
                .format
                .parse()
                .map_err(|e: relief_core::UnknownCode| e.to_string())?;
            let report =
                summary.to_report(&summary.campaign_id, chrono::Local::now().naive_local());
            let bytes = match format {
                relief_report::Format::Pdf => relief_report::pdf::summary(&report),
                relief_report::Format::Xlsx => relief_report::xlsx::summary(&report),
                relief_report::Format::Csv => relief_report::csv::summary(&report),
            }
            .map_err(|e| e.to_string())?;
            let out = args.out.expect("clap requires --out with a file format");
            std::fs::write(&out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
            println!("도 일일 현황: {}", out.display());
        }
    }
    Ok(())
}

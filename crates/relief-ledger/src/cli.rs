//! `relief-ledger`: serve the API, or act on the ledger's database as an
//! operator. A contract: `relief-ledger serve [--listen ADDR:PORT] [--db
//! sqlite:PATH|postgres://...]` listens on 127.0.0.1:8700 with a SQLite file
//! in the working directory when given nothing.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use relief_core::SiteType;

use crate::service::Role;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8700";
pub const DEFAULT_DB: &str = "sqlite:relief-ledger.sqlite3";

#[derive(Parser)]
#[command(name = "relief-ledger", version, about = "재난지원금 중앙 원장 서버")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serves the HTTP API.
    Serve(ServeArgs),
    /// Operator commands, run on the ledger's host against its database.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Args)]
pub struct Db {
    /// sqlite:PATH or postgres://...
    #[arg(long, env = "RELIEF_LEDGER_DB", default_value = DEFAULT_DB)]
    pub db: String,
}

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, env = "RELIEF_LEDGER_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: Db,
    /// PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, env = "RELIEF_LEDGER_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key.
    #[arg(long, env = "RELIEF_LEDGER_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Creates a token for the API (printed once; only its hash is kept):
    /// an admin's, or a card issuer's (`--role card-issuer`).
    Token(TokenArgs),
    /// Creates a one-time enrollment code for a site.
    EnrollmentCode(EnrollmentCodeArgs),
    /// Imports the card companies' applications (CSV: rrn,sigungu,amount_krw,paid_at,issuer).
    ImportOnline(ImportArgs),
    /// Imports the resident roll: the register's extract as of the base
    /// date, or a change file after it
    /// (CSV: rrn,household_id,sigungu,eupmyeondong,registered_since,status).
    ImportRoll(ImportArgs),
    /// Publishes a campaign policy (a new campaign, or a new version).
    PublishPolicy(PublishArgs),
    /// The province's view of a day.
    Summary(SummaryArgs),
    /// What the card issuer is still to do for the cards of a day's
    /// instructions (load and activate, block), as a file.
    Activations(ActivationsArgs),
    /// Ends the claims a terminal still holds, when it is not coming back
    /// (a PC lost mid-visit).
    WithdrawClaims(WithdrawArgs),
    /// Purges a campaign's personal data once the policy's retention has
    /// ended: every beneficiary key replaced by a random one, the roll and
    /// the campaign secret deleted; counts kept. Cannot be undone.
    Purge(PurgeArgs),
}

#[derive(Args)]
pub struct PurgeArgs {
    #[command(flatten)]
    pub db: Db,
    /// Needed when the ledger holds more than one campaign.
    #[arg(long)]
    pub campaign: Option<String>,
}

#[derive(Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub db: Db,
    /// `admin` or `card-issuer`
    #[arg(long, default_value = "admin", value_parser = parse_role)]
    pub role: Role,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.replace('-', "_")
        .parse()
        .map_err(|e: relief_core::UnknownCode| e.to_string())
}

#[derive(Args)]
pub struct ActivationsArgs {
    #[command(flatten)]
    pub db: Db,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    /// csv (the only format an issuer's batch takes)
    #[arg(long, default_value = "csv", value_parser = ["csv"])]
    pub format: String,
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct WithdrawArgs {
    #[command(flatten)]
    pub db: Db,
    #[arg(long, value_name = "ID")]
    pub terminal: String,
    /// Why, for the record.
    #[arg(long)]
    pub reason: String,
}

#[derive(Args)]
pub struct EnrollmentCodeArgs {
    #[command(flatten)]
    pub db: Db,
    #[arg(long)]
    pub site_code: String,
    #[arg(long)]
    pub site_name: String,
    /// `center` or `nh`
    #[arg(long, value_name = "center|nh", value_parser = str::parse::<SiteType>)]
    pub site_type: SiteType,
    #[arg(long, value_name = "CODE")]
    pub sigungu: String,
    #[arg(long)]
    pub campaign: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: Db,
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// Needed when the ledger holds more than one campaign.
    #[arg(long)]
    pub campaign: Option<String>,
}

#[derive(Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub db: Db,
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
}

#[derive(Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub db: Db,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    #[arg(long)]
    pub campaign: Option<String>,
    /// json (to standard output), or pdf, xlsx, csv (with --out).
    #[arg(long, default_value = "json")]
    pub format: String,
    #[arg(long, value_name = "FILE", required_if_eq_any = [("format", "pdf"), ("format", "xlsx"), ("format", "csv")])]
    pub out: Option<PathBuf>,
}

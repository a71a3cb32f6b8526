//! The demo terminal the app sets up when it finds none: a 수원 center on
//! the 경기도 2020 policy, a supervisor and a clerk, 500 cards, offline
//! until enrolled. Never a production terminal: it is marked demo, and
//! only a demo terminal lets its clock be set.

use std::path::Path;

use chrono::NaiveDateTime;
use relief_core::policy::builtin;
use relief_core::{Krw, SiteType};
use relief_store::{NewClerk, RecoveryCode, Role, SerialSpec, Store, TerminalSetup};
use zeroize::Zeroizing;

use super::error::Result;

pub const SUPERVISOR: (&str, &str, &str) = ("S001", "김감독", "11111111");
pub const CLERK: (&str, &str, &str) = ("C001", "이담당", "222222");

pub fn set_up(path: &Path, at: NaiveDateTime) -> Result<(Store, RecoveryCode)> {
    let (mut store, code) = Store::init(
        path,
        TerminalSetup {
            eupmyeondong: None,
            site_code: "DEMO-41110".into(),
            site_name: "데모 행정복지센터 (수원)".into(),
            site_type: SiteType::Center,
            sigungu: "41110".parse().expect("a valid code"),
            demo: true,
            policy_file: "policies/gyeonggi-2020.toml".into(),
            policy_text: builtin::GYEONGGI_2020.into(),
            secret: relief_store::generate_secret(),
        },
        at,
    )?;
    let clerk = |(id, name, pin): (&str, &str, &str), role| NewClerk {
        employee_id: id.into(),
        name: name.into(),
        role,
        pin: Zeroizing::new(pin.into()),
    };
    store.add_clerk(None, clerk(SUPERVISOR, Role::Supervisor), at)?;
    let supervisor = store.sign_in(SUPERVISOR.0, SUPERVISOR.2, at)?;
    store.add_clerk(Some(&supervisor), clerk(CLERK, Role::Clerk), at)?;
    store.receive_stock(
        &supervisor,
        &SerialSpec::Range {
            first: "GG-0001".into(),
            last: "GG-0500".into(),
        },
        Krw(3_000_000),
        "데모 재고",
        at,
    )?;
    Ok((store, code))
}

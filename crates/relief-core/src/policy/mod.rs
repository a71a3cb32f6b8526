//! The campaign policy: every rule that differs between campaigns lives in a
//! TOML file, read into a typed model and validated before it is used.

mod error;
mod load;
mod model;

pub use error::{PolicyError, PolicyProblem};
pub use load::SCHEMA;
pub use model::*;

/// Policies shipped inside the binary, so a terminal works before it is
/// enrolled and tests need no files.
pub mod builtin {
    /// 경기도 재난기본소득 (2020).
    pub const GYEONGGI_2020: &str = include_str!("../../../../policies/gyeonggi-2020.toml");
    /// 긴급재난지원금 (2020, national), as run in 경기도.
    pub const NATIONAL_2020: &str = include_str!("../../../../policies/national-2020.toml");

    /// The Gyeonggi policy, parsed. It is validated by the tests, so a
    /// failure here is a build defect, not an input error.
    pub fn gyeonggi_2020() -> super::Policy {
        super::Policy::from_toml("policies/gyeonggi-2020.toml", GYEONGGI_2020)
            .expect("the embedded Gyeonggi policy is valid")
    }

    pub fn national_2020() -> super::Policy {
        super::Policy::from_toml("policies/national-2020.toml", NATIONAL_2020)
            .expect("the embedded national policy is valid")
    }
}

#[cfg(test)]
mod tests;

//! The counter's clock. A production terminal reads the system's local
//! time. A demo terminal runs a clock started at a chosen moment of the
//! campaign (the 2020 campaign is over), advancing in real time.

use std::time::Instant;

use chrono::{Duration, NaiveDateTime};

#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Demo { started: Instant, at: NaiveDateTime },
}

impl Clock {
    pub fn demo(at: NaiveDateTime) -> Clock {
        Clock::Demo {
            started: Instant::now(),
            at,
        }
    }

    pub fn is_demo(&self) -> bool {
        matches!(self, Clock::Demo { .. })
    }

    pub fn now(&self) -> NaiveDateTime {
        match self {
            Clock::System => chrono::Local::now().naive_local(),
            Clock::Demo { started, at } => {
                *at + Duration::from_std(started.elapsed()).unwrap_or_default()
            }
        }
    }
}

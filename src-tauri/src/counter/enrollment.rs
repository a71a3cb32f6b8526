//! The enrollment screen: a supervisor joins this terminal to a ledger.

use super::views::*;
use super::{Counter, Result};

impl Counter {
    pub async fn enroll(&self, input: &EnrollInput) -> Result<()> {
        let supervisor = self.supervisor()?;
        let fingerprint = Some(input.fingerprint.trim()).filter(|f| !f.is_empty());
        relief_sync::enroll(
            self.opened_store()?,
            &supervisor,
            input.ledger_url.trim(),
            input.code.trim(),
            fingerprint,
            self.now(),
        )
        .await?;
        self.sync_now.notify_one();
        Ok(())
    }
}

//! The counter's approval of offline issuance: a supervisor walks over
//! once, types their id and PIN, and the queue is served offline under it
//! for a while and a number of issuances; they close it when they like.

use relief_store::OfflineApproval;
use zeroize::Zeroizing;

use super::views::*;
use super::{Counter, Result};

impl Counter {
    pub fn open_offline_approval(
        &self,
        input: &OfflineApprovalInput,
    ) -> Result<OfflineApprovalView> {
        self.session()?;
        let now = self.now();
        let mut store = self.store()?;
        let pin = Zeroizing::new(input.pin.clone());
        let supervisor = store.sign_in(input.employee_id.trim(), &pin, now)?;
        let approval =
            store.open_offline_approval(&supervisor, input.minutes, input.issuances, now)?;
        Ok(approval_view(&store, &approval))
    }

    pub fn close_offline_approval(&self, input: &Approver) -> Result<()> {
        self.session()?;
        let now = self.now();
        let mut store = self.store()?;
        let pin = Zeroizing::new(input.pin.clone());
        let supervisor = store.sign_in(input.employee_id.trim(), &pin, now)?;
        store.close_offline_approval(&supervisor, now)?;
        Ok(())
    }
}

pub(super) fn approval_view(
    store: &relief_store::Store,
    approval: &OfflineApproval,
) -> OfflineApprovalView {
    let name = store
        .clerks()
        .ok()
        .and_then(|clerks| {
            clerks
                .into_iter()
                .find(|c| c.employee_id == approval.opened_by)
        })
        .map(|c| c.name)
        .unwrap_or_default();
    OfflineApprovalView {
        opened_by: approval.opened_by.clone(),
        opened_by_name: name,
        until: approval.until.format("%H:%M").to_string(),
        remaining: approval.remaining(),
        max_issuances: approval.max_issuances,
    }
}

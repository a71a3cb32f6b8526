//! The status bar and what the forms choose from: the site, the policy's
//! lists, the sync's state, who is signed in.

use super::views::*;
use super::{Counter, Result, session_view};

impl Counter {
    pub fn status(&self) -> Result<AppStatus> {
        let signed_in = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let session = signed_in.as_ref().map(session_view);
        let store = self.store()?;
        let shifts: Vec<ShiftView> = store
            .shifts_on(self.now().date())?
            .iter()
            .map(ShiftView::of)
            .collect();
        let my_shift = signed_in.as_ref().and_then(|s| {
            shifts
                .iter()
                .find(|shift| shift.clerk_id == s.employee_id())
                .cloned()
        });
        let supervisor = signed_in
            .as_ref()
            .is_some_and(|s| s.role() == relief_store::Role::Supervisor);
        let site = store.site();
        let policy = store.policy();
        let sync = store.sync_status()?;
        let online = sync.last_contact_at.is_some_and(|t| {
            chrono::Local::now().naive_local() - t < chrono::Duration::seconds(60)
        });
        Ok(AppStatus {
            site_code: site.code.clone(),
            site_name: site.name.clone(),
            site_type: site.site_type,
            sigungu: site.sigungu.to_string(),
            campaign: policy.campaign.name.clone(),
            policy_version: policy.campaign.version.clone(),
            demo: site.demo,
            now: relief_protocol::time::format(self.now()),
            idle_lock_minutes: policy.campaign.idle_lock_minutes,
            offline_mode: policy.campaign.offline_mode,
            offline_approval: store
                .offline_approval(self.now())?
                .map(|a| super::offline::approval_view(&store, &a)),
            offline_approval_bounds: OfflineApprovalBoundsView {
                max_minutes: policy.campaign.offline_approval.max_minutes,
                max_issuances: policy.campaign.offline_approval.max_issuances,
            },
            session,
            my_shift,
            shifts: if supervisor { shifts } else { Vec::new() },
            day_closed: store.is_closed(self.now().date())?,
            sync: SyncView {
                enrolled: sync.enrolled,
                online,
                last_contact: sync
                    .last_contact_at
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
                pending: sync.pending,
                rejected: sync.rejected,
                open_conflicts: sync.open_conflicts,
                last_error: sync.last_error,
            },
            roll: {
                let copy = store.roll_copy()?;
                RollView {
                    version: copy.version,
                    received: copy.download.as_ref().map(|d| d.received),
                    expected: copy.download.and_then(|d| d.expected),
                }
            },
            cards_on_hand: store.stock()?.on_hand(),
            regions: policy
                .regions
                .iter()
                .map(|(code, name)| Region {
                    code: code.to_string(),
                    name: name.clone(),
                })
                .collect(),
            relations: policy
                .proxy
                .relations
                .iter()
                .copied()
                .map(Choice::of)
                .collect(),
            id_documents: policy
                .proxy
                .id_documents
                .iter()
                .copied()
                .map(Choice::of)
                .collect(),
            roles: Choice::every(),
            card_dispositions: Choice::every(),
            report_kinds: Choice::every(),
            report_formats: Choice::every(),
        })
    }
}

//! The store's side of sync: enrollment checks what the ledger sends,
//! pending events and verdicts, pulls, conflicts and their resolution.

mod common;

use chrono::Duration;
use common::*;
use ed25519_dalek::SigningKey;
use relief_core::Channel;
use relief_core::policy::builtin::GYEONGGI_2020;
use relief_protocol::{
    CardActivation, CardChange, ConflictStatus, ConflictView, DenyChange, EnrollResponse,
    EventBody, FeedCursor, LedgerKey, Outcome, PaidRecord, PaymentRef, PullResponse, SignedPolicy,
    SiteInfo, Verdict,
};
use relief_store::*;

fn ledger_key() -> SigningKey {
    SigningKey::from_bytes(&[5; 32])
}

fn answer(key: &SigningKey, policy_toml: &str) -> EnrollResponse {
    EnrollResponse {
        terminal_id: "terminal-1".into(),
        token: "secret-token".into(),
        site: SiteInfo {
            code: "41110-515".into(),
            name: "매탄1동".into(),
            site_type: relief_core::SiteType::Center,
            sigungu: "41110".into(),
        },
        campaign_secret: "11".repeat(32),
        policy: SignedPolicy::sign(key, "gyeonggi-2020", "2020.1", policy_toml),
        ledger_key: LedgerKey::of(key).to_hex(),
    }
}

fn enrolled() -> Terminal {
    let mut t = setup();
    let supervisor = t.supervisor.clone();
    t.store
        .enroll(
            &supervisor,
            "http://ledger:8700/",
            &answer(&ledger_key(), GYEONGGI_2020),
            None,
            at(4, 1, 9),
        )
        .unwrap();
    t
}

fn page(
    deny: Vec<DenyChange>,
    conflicts: Vec<ConflictView>,
    policy: Option<SignedPolicy>,
    cursor: u64,
) -> PullBatch {
    let mut batch = PullBatch::default();
    batch
        .add(PullResponse {
            deny,
            conflicts,
            cards: vec![],
            policy,
            next_cursor: FeedCursor {
                id: cursor,
                check: cursor * 7,
            },
            more: false,
            reset: false,
            next_seq: 1,
        })
        .unwrap();
    batch
}

#[test]
fn enrollment_checks_the_signature_the_key_the_site_and_the_role() {
    let mut t = setup();
    let (clerk, supervisor) = (t.clerk.clone(), t.supervisor.clone());
    let key = ledger_key();
    let good = answer(&key, GYEONGGI_2020);
    let when = at(4, 1, 9);
    assert!(matches!(
        t.store.enroll(&clerk, "http://l", &good, None, when),
        Err(Error::SupervisorRequired)
    ));
    let mut tampered = good.clone();
    tampered.policy.toml = GYEONGGI_2020.replace("per_person = 100000", "per_person = 900000");
    assert!(matches!(
        t.store
            .enroll(&supervisor, "http://l", &tampered, None, when),
        Err(Error::PolicySignature(_))
    ));
    assert!(matches!(
        t.store.enroll(
            &supervisor,
            "http://l",
            &good,
            Some("0000-0000-0000-0000"),
            when
        ),
        Err(Error::LedgerKeyMismatch { .. })
    ));
    let mut elsewhere = good.clone();
    elsewhere.site.site_type = relief_core::SiteType::Nh;
    assert!(matches!(
        t.store
            .enroll(&supervisor, "http://l", &elsewhere, None, when),
        Err(Error::SiteMismatch { .. })
    ));
    assert!(
        t.store.enrollment().unwrap().is_none(),
        "nothing was recorded by the refusals"
    );

    let before = t.store.beneficiary_key(&id(&person(1)));
    let fingerprint = LedgerKey::of(&key).fingerprint();
    let enrollment = t
        .store
        .enroll(&supervisor, "http://l/", &good, Some(&fingerprint), when)
        .unwrap();
    assert_eq!(
        (
            enrollment.terminal_id.as_str(),
            enrollment.ledger_url.as_str()
        ),
        ("terminal-1", "http://l")
    );
    assert_ne!(
        t.store.beneficiary_key(&id(&person(1))),
        before,
        "the ledger's campaign secret is in force"
    );
    assert!(matches!(
        t.store.enroll(&supervisor, "http://l", &good, None, when),
        Err(Error::AlreadyEnrolled)
    ));
    assert!(t.store.verify_audit().unwrap().is_intact());
    // Reopened, it is the same.
    let path = t.path();
    drop(t.store);
    let store = reopen(&path);
    assert_eq!(store.enrollment().unwrap().unwrap().token, "secret-token");
}

#[test]
fn a_terminal_that_issued_under_its_own_secret_cannot_take_another() {
    let mut t = setup();
    t.store
        .issue(&t.clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    let supervisor = t.supervisor.clone();
    let result = t.store.enroll(
        &supervisor,
        "http://l",
        &answer(&ledger_key(), GYEONGGI_2020),
        None,
        free_day(),
    );
    assert!(matches!(result, Err(Error::CampaignChangeAfterIssuance)));
}

#[test]
fn pending_events_wait_for_their_verdicts() {
    let mut t = enrolled();
    for n in 0..3 {
        t.store
            .issue(
                &t.clerk,
                solo(&person(n), &[&format!("GG-{:04}", n + 1)]),
                free_day(),
            )
            .unwrap();
    }
    let pending = t.store.pending_events(10).unwrap();
    assert_eq!(pending.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(matches!(pending[0].body, EventBody::Issuance(_)));
    let verdicts = [
        Verdict {
            seq: 1,
            outcome: Outcome::Accepted,
        },
        Verdict {
            seq: 2,
            outcome: Outcome::Rejected {
                reason: "wrong_site".into(),
                message: "x".into(),
            },
        },
    ];
    t.store.record_verdicts(&verdicts, free_day()).unwrap();
    t.store.record_verdicts(&verdicts, free_day()).unwrap();
    assert_eq!(
        t.store
            .pending_events(10)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        [3]
    );
    let status = t.store.sync_status().unwrap();
    assert_eq!(
        (status.pending, status.rejected, status.enrolled),
        (1, 1, true)
    );
    assert!(status.last_push_at.is_some());
}

#[test]
fn a_pull_lists_keys_paid_elsewhere_and_releases_them() {
    let mut t = enrolled();
    let key = t.store.beneficiary_key(&id(&person(4)));
    let paid = PaidRecord {
        channel: Channel::Online,
        site: "경기지역화폐".into(),
        at: free_day(),
    };
    t.store
        .apply_pull(
            page(
                vec![DenyChange::Paid {
                    key: key.to_hex(),
                    paid,
                }],
                vec![],
                None,
                7,
            ),
            free_day(),
        )
        .unwrap();
    assert!(
        matches!(t.store.paid(&key).unwrap(), Some(Paid::Elsewhere { channel, .. }) if channel == relief_core::Channel::Online)
    );
    assert!(matches!(
        t.store
            .issue(&t.clerk, solo(&person(4), &["GG-0001"]), free_day()),
        Err(Error::PaidElsewhere { .. })
    ));
    assert_eq!(
        t.store.sync_status().unwrap().pull_cursor,
        FeedCursor { id: 7, check: 49 }
    );
    t.store
        .apply_pull(
            page(
                vec![DenyChange::Released { key: key.to_hex() }],
                vec![],
                None,
                9,
            ),
            free_day(),
        )
        .unwrap();
    assert_eq!(t.store.paid(&key).unwrap(), None);
    assert!(
        t.store
            .issue(&t.clerk, solo(&person(4), &["GG-0001"]), free_day())
            .is_ok()
    );
}

#[test]
fn a_newer_policy_installs_only_with_the_pinned_key() {
    let mut t = enrolled();
    let newer = GYEONGGI_2020.replace("version = \"2020.1\"", "version = \"2020.2\"");
    let forged = SignedPolicy::sign(
        &SigningKey::from_bytes(&[6; 32]),
        "gyeonggi-2020",
        "2020.2",
        &newer,
    );
    let refused = t
        .store
        .apply_pull(page(vec![], vec![], Some(forged), 3), free_day());
    assert!(matches!(refused, Err(Error::PolicySignature(_))));
    assert_eq!(
        t.store.sync_status().unwrap().pull_cursor,
        FeedCursor::START,
        "nothing of the page was applied"
    );
    let signed = SignedPolicy::sign(&ledger_key(), "gyeonggi-2020", "2020.2", &newer);
    t.store
        .apply_pull(page(vec![], vec![], Some(signed), 3), free_day())
        .unwrap();
    assert_eq!(t.store.policy().campaign.version, "2020.2");
    assert!(t.store.verify_audit().unwrap().is_intact());
    let path = t.path();
    drop(t.store);
    assert_eq!(reopen(&path).policy().campaign.version, "2020.2");
}

#[test]
fn a_supervisor_accepts_a_conflict_with_a_note() {
    let mut t = enrolled();
    let issued = t
        .store
        .issue(&t.clerk, solo(&person(8), &["GG-0001"]), free_day())
        .unwrap();
    let side = |terminal: &str, issuance: &str| PaymentRef {
        issuance_id: Some(issuance.into()),
        terminal_id: Some(terminal.into()),
        paid: PaidRecord {
            channel: Channel::Nh,
            site: "NH 수원".into(),
            at: free_day() - Duration::hours(1),
        },
    };
    let conflict = ConflictView {
        id: "c-1".into(),
        beneficiary_key: t.store.beneficiary_key(&id(&person(8))).to_hex(),
        standing: side("terminal-9", "theirs"),
        other: side("terminal-1", &issued.issuance_id),
        detected_at: free_day(),
        status: ConflictStatus::Open,
        note: None,
    };
    t.store
        .apply_pull(page(vec![], vec![conflict.clone()], None, 4), free_day())
        .unwrap();
    let listed = t.store.conflicts().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].our_issuance_id.as_deref(),
        Some(issued.issuance_id.as_str())
    );
    assert_eq!(t.store.sync_status().unwrap().open_conflicts, 1);

    let (clerk, supervisor) = (t.clerk.clone(), t.supervisor.clone());
    assert!(matches!(
        t.store.accept_conflict(&clerk, "c-1", "확인", free_day()),
        Err(Error::SupervisorRequired)
    ));
    assert!(matches!(
        t.store.accept_conflict(&supervisor, "c-1", " ", free_day()),
        Err(Error::Missing { .. })
    ));
    assert!(matches!(
        t.store
            .accept_conflict(&supervisor, "nope", "x", free_day()),
        Err(Error::UnknownConflict(_))
    ));
    t.store
        .accept_conflict(&supervisor, "c-1", "동명이인, 둘 다 정당", free_day())
        .unwrap();
    assert!(matches!(
        t.store
            .accept_conflict(&supervisor, "c-1", "again", free_day()),
        Err(Error::ConflictClosed(_))
    ));
    let pending = t.store.pending_events(10).unwrap();
    assert!(
        matches!(&pending.last().unwrap().body, EventBody::Resolution(r) if r.conflict_id == "c-1")
    );
    assert!(t.store.verify_audit().unwrap().is_intact());

    // The ledger's word on the outcome replaces the cached status.
    let closed = ConflictView {
        status: ConflictStatus::Accepted,
        note: Some("동명이인".into()),
        ..conflict
    };
    t.store
        .apply_pull(page(vec![], vec![closed], None, 5), free_day())
        .unwrap();
    assert_eq!(
        t.store.conflicts().unwrap()[0].status,
        ConflictStatus::Accepted
    );
    assert_eq!(t.store.sync_status().unwrap().open_conflicts, 0);
}

#[test]
fn a_pull_that_starts_over_rebuilds_the_deny_list() {
    let mut t = enrolled();
    let keys: Vec<_> = (30..33)
        .map(|n| t.store.beneficiary_key(&id(&person(n))))
        .collect();
    let paid = |key: &relief_core::identity::BeneficiaryKey| DenyChange::Paid {
        key: key.to_hex(),
        paid: PaidRecord {
            channel: Channel::Nh,
            site: "NH 수원".into(),
            at: free_day(),
        },
    };
    t.store
        .apply_pull(
            page(keys.iter().map(paid).collect(), vec![], None, 9),
            free_day(),
        )
        .unwrap();
    assert_eq!(t.store.deny_list_len().unwrap(), 3);
    // The ledger no longer holds that history: two pages from the start,
    // the first of them saying so; only what they say is left.
    let mut batch = PullBatch::default();
    for (deny, more, reset) in [
        (vec![paid(&keys[1])], true, true),
        (vec![paid(&keys[2])], false, false),
    ] {
        batch
            .add(PullResponse {
                deny,
                conflicts: vec![],
                cards: vec![],
                policy: None,
                next_cursor: FeedCursor { id: 4, check: 11 },
                more,
                reset,
                next_seq: 1,
            })
            .unwrap();
    }
    assert!(batch.reset);
    t.store.apply_pull(batch, free_day()).unwrap();
    assert_eq!(t.store.deny_list_len().unwrap(), 2);
    assert!(t.store.deny_entry(&keys[0]).unwrap().is_none());
    assert!(t.store.deny_entry(&keys[2]).unwrap().is_some());
    assert_eq!(
        t.store.sync_status().unwrap().pull_cursor,
        FeedCursor { id: 4, check: 11 }
    );
}

fn cards_page(cards: &[(&str, CardActivation)], reset: bool, cursor: u64) -> PullResponse {
    PullResponse {
        deny: vec![],
        conflicts: vec![],
        cards: cards
            .iter()
            .map(|(serial, activation)| CardChange {
                serial: (*serial).into(),
                activation: *activation,
            })
            .collect(),
        policy: None,
        next_cursor: FeedCursor {
            id: cursor,
            check: cursor,
        },
        more: false,
        reset,
        next_seq: 1,
    }
}

#[test]
fn a_card_is_waiting_until_the_ledger_says_otherwise_and_its_latest_word_stands() {
    use CardActivation::*;
    let mut t = enrolled();
    let first = t
        .store
        .issue(&t.clerk, solo(&person(1), &["GG-0001"]), free_day())
        .unwrap();
    let second = t
        .store
        .issue(&t.clerk, solo(&person(2), &["GG-0002"]), free_day())
        .unwrap();
    let activation = |t: &Terminal, id: &str| {
        let record = t.store.issuance(id).unwrap().unwrap();
        record
            .cards
            .iter()
            .map(|c| c.activation)
            .collect::<Vec<_>>()
    };
    assert_eq!(activation(&t, &first.issuance_id), [Waiting]);

    // Pages in feed order: a card's later word replaces its earlier one,
    // within a batch and across pulls.
    let mut batch = PullBatch::default();
    batch
        .add(cards_page(
            &[("GG-0001", Held), ("GG-0002", ToActivate)],
            false,
            3,
        ))
        .unwrap();
    batch
        .add(cards_page(&[("GG-0001", ToActivate)], false, 4))
        .unwrap();
    t.store.apply_pull(batch, free_day()).unwrap();
    assert_eq!(activation(&t, &first.issuance_id), [ToActivate]);
    assert_eq!(activation(&t, &second.issuance_id), [ToActivate]);
    let mut batch = PullBatch::default();
    batch
        .add(cards_page(&[("GG-0002", Active)], false, 5))
        .unwrap();
    t.store.apply_pull(batch, free_day()).unwrap();
    assert_eq!(activation(&t, &second.issuance_id), [Active]);

    // The ledger restored from an earlier copy starts over: what it says
    // now is all that is kept; a card it no longer speaks of is waiting.
    let mut batch = PullBatch::default();
    batch
        .add(cards_page(&[("GG-0002", Blocked)], false, 6))
        .unwrap();
    batch
        .add(cards_page(&[("GG-0001", Held)], true, 2))
        .unwrap();
    assert!(batch.cards.iter().all(|c| c.serial == "GG-0001"));
    t.store.apply_pull(batch, free_day()).unwrap();
    assert_eq!(activation(&t, &first.issuance_id), [Held]);
    assert_eq!(activation(&t, &second.issuance_id), [Waiting]);

    // A serial this store never held is kept, not refused.
    let mut batch = PullBatch::default();
    batch
        .add(cards_page(&[("GG-9999", Blocked)], false, 3))
        .unwrap();
    t.store.apply_pull(batch, free_day()).unwrap();
    assert_eq!(
        t.store.card_activation("GG-9999").unwrap(),
        CardActivation::Blocked
    );
}

#[test]
fn the_days_cards_are_counted_by_activation() {
    use CardActivation::*;
    let mut t = enrolled();
    for n in 1..=5 {
        let serial = format!("GG-{n:04}");
        t.store
            .issue(&t.clerk, solo(&person(n), &[&serial]), free_day())
            .unwrap();
    }
    let mut batch = PullBatch::default();
    batch
        .add(cards_page(
            &[
                ("GG-0001", ToActivate),
                ("GG-0002", Active),
                ("GG-0003", Held),
                ("GG-0004", Blocked),
                ("GG-0004", Blocked),
            ],
            false,
            9,
        ))
        .unwrap();
    t.store.apply_pull(batch, free_day()).unwrap();
    let counts = t.store.activations_on(free_day().date()).unwrap();
    assert_eq!(
        counts,
        ActivationCounts {
            waiting: 1,
            to_activate: 1,
            active: 1,
            held: 1,
            blocked: 1,
        }
    );
    assert_eq!(counts.total(), 5);
    let next_day = free_day().date().succ_opt().unwrap();
    assert_eq!(t.store.activations_on(next_day).unwrap().total(), 0);
}

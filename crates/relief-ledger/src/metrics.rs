//! What the ledger counts, served at `/metrics` in the Prometheus format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    pub outcome: String,
}

pub struct Metrics {
    registry: Registry,
    pub events: Family<Outcome, Counter>,
    pub claims: Family<Outcome, Counter>,
    /// A different event under a used sequence number: someone must look.
    pub sequence_conflicts: Counter,
    pub enrollments: Counter,
    pub online_imported: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("relief_ledger");
        let events = Family::<Outcome, Counter>::default();
        let claims = Family::<Outcome, Counter>::default();
        let sequence_conflicts = Counter::default();
        let enrollments = Counter::default();
        let online_imported = Counter::default();
        registry.register("events", "Pushed events by verdict", events.clone());
        registry.register("claims", "Claims by result", claims.clone());
        registry.register(
            "sequence_conflicts",
            "Different events pushed under a sequence number already used",
            sequence_conflicts.clone(),
        );
        registry.register("enrollments", "Terminals enrolled", enrollments.clone());
        registry.register(
            "online_imported",
            "Online-channel payments imported",
            online_imported.clone(),
        );
        Metrics {
            registry,
            events,
            claims,
            sequence_conflicts,
            enrollments,
            online_imported,
        }
    }
}

impl Metrics {
    pub fn count(family: &Family<Outcome, Counter>, outcome: &str) {
        family
            .get_or_create(&Outcome {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String");
        text
    }
}

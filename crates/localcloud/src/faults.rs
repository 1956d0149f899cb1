//! Fault injection for tests: delay a response, reset the connection part way through a body,
//! or answer `503 SlowDown` / `500`, for the Nth matching request or a share of them.
//!
//! Rules are set in-process through [`Faults`], or from outside through the admin-only route
//! `/_localcloud/faults`. A "share" is drawn from a seeded generator, so a test sees the same
//! sequence of faults on every run.

use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// Which requests a rule applies to, and how often it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Operation name (`PutObject`, `UploadPart`, `GetObject`, `ListObjectsV2`,
    /// `GetCredentialsForIdentity`, `GetId`, `Token`, ...); `None` matches every request.
    #[serde(default)]
    pub operation: Option<String>,
    pub trigger: Trigger,
    pub action: FaultAction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// Only the Nth matching request (1-based).
    Nth { n: u64 },
    /// Each matching request with this probability (0.0 to 1.0), drawn from a seeded generator.
    Share { fraction: f64, seed: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Wait before handling the request.
    Delay { millis: u64 },
    /// Read this many bytes of the request body, then drop the connection.
    ResetRequest { after_bytes: u64 },
    /// Send this many bytes of the response body, then drop the connection.
    ResetResponse { after_bytes: u64 },
    /// Answer with this status: 503 is `SlowDown`, 500 is `InternalError`.
    Status { status: u16 },
}

impl FaultRule {
    pub fn new(operation: Option<&str>, trigger: Trigger, action: FaultAction) -> Self {
        Self {
            operation: operation.map(str::to_owned),
            trigger,
            action,
        }
    }

    fn validate(&self) -> Result<(), String> {
        match (&self.trigger, self.action) {
            (Trigger::Nth { n: 0 }, _) => Err("trigger nth: n starts at 1".to_owned()),
            (Trigger::Share { fraction, .. }, _) if !(0.0..=1.0).contains(fraction) => Err(
                format!("trigger share: fraction {fraction} is not between 0 and 1"),
            ),
            (_, FaultAction::Status { status }) if !(500..=599).contains(&status) => {
                Err(format!("action status: {status} is not a 5xx status"))
            }
            _ => Ok(()),
        }
    }
}

/// A rule as it runs: how many requests it matched and how many faults it caused.
#[derive(Debug, Clone, Serialize)]
pub struct RuleStatus {
    pub id: u64,
    pub rule: FaultRule,
    pub matched: u64,
    pub fired: u64,
}

#[derive(Debug)]
struct ActiveRule {
    status: RuleStatus,
    rng: StdRng,
}

#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<(u64, Vec<ActiveRule>)>,
    /// Woken each time a rule fires, for [`Faults::fired`].
    firing: Notify,
}

impl Faults {
    /// Adds a rule; returns its id for [`Faults::status`] and [`Faults::remove`].
    pub fn add(&self, rule: FaultRule) -> Result<u64, String> {
        rule.validate()?;
        let seed = match rule.trigger {
            Trigger::Share { seed, .. } => seed,
            Trigger::Nth { .. } => 0,
        };
        let mut guard = self.rules.lock().expect("faults poisoned");
        guard.0 += 1;
        let id = guard.0;
        guard.1.push(ActiveRule {
            status: RuleStatus {
                id,
                rule,
                matched: 0,
                fired: 0,
            },
            rng: StdRng::seed_from_u64(seed),
        });
        Ok(id)
    }

    pub fn remove(&self, id: u64) {
        self.rules
            .lock()
            .expect("faults poisoned")
            .1
            .retain(|r| r.status.id != id);
    }

    pub fn clear(&self) {
        self.rules.lock().expect("faults poisoned").1.clear();
    }

    pub fn status(&self) -> Vec<RuleStatus> {
        let guard = self.rules.lock().expect("faults poisoned");
        guard.1.iter().map(|r| r.status.clone()).collect()
    }

    /// Waits until rule `id` has caused `times` faults: a test acts at the moment a held-up
    /// request arrives, not after a guessed sleep.
    pub async fn fired(&self, id: u64, times: u64) {
        loop {
            let woken = self.firing.notified();
            if self.status().iter().any(|r| r.id == id && r.fired >= times) {
                return;
            }
            woken.await;
        }
    }

    /// The fault to apply to one request of this operation, if any (the first rule that fires).
    pub fn decide(&self, operation: &str) -> Option<FaultAction> {
        let mut guard = self.rules.lock().expect("faults poisoned");
        let mut chosen = None;
        for active in guard.1.iter_mut() {
            let status = &mut active.status;
            if status
                .rule
                .operation
                .as_deref()
                .is_some_and(|op| op != operation)
            {
                continue;
            }
            status.matched += 1;
            let fires = match status.rule.trigger {
                Trigger::Nth { n } => status.matched == n,
                Trigger::Share { fraction, .. } => active.rng.gen_bool(fraction),
            };
            if fires && chosen.is_none() {
                status.fired += 1;
                chosen = Some(status.rule.action);
            }
        }
        drop(guard);
        if chosen.is_some() {
            self.firing.notify_waiters();
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_fires_once_on_matching_operation_only() {
        let faults = Faults::default();
        let id = faults
            .add(FaultRule::new(
                Some("PutObject"),
                Trigger::Nth { n: 2 },
                FaultAction::Status { status: 503 },
            ))
            .unwrap();
        assert_eq!(faults.decide("GetObject"), None);
        assert_eq!(faults.decide("PutObject"), None);
        assert_eq!(
            faults.decide("PutObject"),
            Some(FaultAction::Status { status: 503 })
        );
        assert_eq!(faults.decide("PutObject"), None);
        let status = &faults.status()[0];
        assert_eq!((status.id, status.matched, status.fired), (id, 3, 1));
    }

    #[tokio::test]
    async fn fired_waits_for_the_rule_to_fire() {
        let faults = std::sync::Arc::new(Faults::default());
        let id = faults
            .add(FaultRule::new(
                Some("UploadPart"),
                Trigger::Nth { n: 2 },
                FaultAction::Delay { millis: 1 },
            ))
            .unwrap();
        let waiting = tokio::spawn({
            let faults = faults.clone();
            async move { faults.fired(id, 1).await }
        });
        faults.decide("UploadPart");
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the first request does not fire");
        faults.decide("UploadPart");
        tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
            .await
            .expect("the second request fires")
            .unwrap();
    }

    #[test]
    fn share_is_deterministic_for_a_seed() {
        let run = || {
            let faults = Faults::default();
            faults
                .add(FaultRule::new(
                    None,
                    Trigger::Share {
                        fraction: 0.3,
                        seed: 7,
                    },
                    FaultAction::Delay { millis: 1 },
                ))
                .unwrap();
            (0..200)
                .map(|_| faults.decide("X").is_some())
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let fired = first.iter().filter(|f| **f).count();
        assert!((30..90).contains(&fired), "{fired}");
    }

    #[test]
    fn bad_rules_are_refused() {
        let faults = Faults::default();
        let nth0 = FaultRule::new(
            None,
            Trigger::Nth { n: 0 },
            FaultAction::Delay { millis: 1 },
        );
        assert!(faults.add(nth0).is_err());
        let share = FaultRule::new(
            None,
            Trigger::Share {
                fraction: 1.5,
                seed: 0,
            },
            FaultAction::Delay { millis: 1 },
        );
        assert!(faults.add(share).is_err());
        let ok_status = FaultRule::new(
            None,
            Trigger::Nth { n: 1 },
            FaultAction::Status { status: 200 },
        );
        assert!(faults.add(ok_status).is_err());
    }
}

//! Faults for testing clients against a hostile network: a seeded share of requests answered with
//! 429 + `Retry-After`, 503 or a dropped connection; scripted answers for a route; a per-token rate
//! limit. A fault strikes before the handler (the request changes nothing) or, with `after`, once
//! the handler has committed: the change is kept and its answer lost (503, 504 or a dropped
//! connection), as when a gateway times out on a write that went through.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::ids::IdGen;

/// One scripted fault: the next `count` requests matching `method` and `path` get this answer.
/// `path` matches exactly, or as a prefix when it ends with `*`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedFault {
    /// HTTP method to match; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Path to match, e.g. `/v1/organizations` or `/v1/organizations/*`.
    pub path: String,
    /// How many requests get the fault (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Status to answer with (default 503 unless `drop` or only `delay_ms` is set).
    #[serde(default)]
    pub status: Option<u16>,
    /// `Retry-After` seconds to send.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Delay before answering (or before handling normally when no status is given).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Close the connection instead of answering.
    #[serde(default)]
    pub drop: bool,
    /// Message of the error envelope.
    #[serde(default)]
    pub message: Option<String>,
    /// Strike after the handler: the change is applied and kept, then the answer is replaced by the
    /// fault (its status, or the dropped connection).
    #[serde(default)]
    pub after: bool,
}

fn one() -> u32 {
    1
}

impl ScriptedFault {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        method_ok && path_ok
    }
}

/// What to do with a request instead of (or before) handling it.
#[derive(Debug)]
pub(crate) enum FaultAction {
    Respond(ApiError),
    Drop,
    Delay(Duration),
    DelayThen(Duration, Box<FaultAction>),
    /// Handle the request (its change is committed), then answer with this instead.
    After(Box<FaultAction>),
}

pub(crate) struct Faults {
    rate: f64,
    rng: Mutex<IdGen>,
    scripted: Mutex<Vec<ScriptedFault>>,
    rate_limit: Option<u32>,
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl Faults {
    pub(crate) fn new(rate: f64, seed: u64, rate_limit: Option<u32>) -> Self {
        Self {
            rate: rate.clamp(0.0, 1.0),
            rng: Mutex::new(IdGen::new(seed ^ 0xFA17_FA17)),
            scripted: Mutex::new(Vec::new()),
            rate_limit: rate_limit.filter(|limit| *limit > 0),
            windows: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn script(&self, faults: Vec<ScriptedFault>) {
        self.scripted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(faults);
    }

    pub(crate) fn scripted(&self) -> Vec<ScriptedFault> {
        self.scripted.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn clear(&self) {
        self.scripted.lock().unwrap_or_else(PoisonError::into_inner).clear();
        self.windows.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// The fault for this request, if any: scripted first, then the rate limit, then the random share.
    pub(crate) fn pick(&self, method: &str, path: &str, token: Option<&str>, now: i64) -> Option<FaultAction> {
        if let Some(action) = self.take_scripted(method, path) {
            return Some(action);
        }
        if let Some(limit) = self.rate_limit {
            let key = token.unwrap_or("anonymous").to_owned();
            let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
            if windows.len() > 10_000 {
                windows.retain(|_, (second, _)| *second == now);
            }
            let window = windows.entry(key).or_insert((now, 0));
            if window.0 != now {
                *window = (now, 0);
            }
            window.1 += 1;
            if window.1 > limit {
                return Some(FaultAction::Respond(
                    ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        format!("rate limit exceeded: at most {limit} requests per second"),
                    )
                    .with_retry_after(1),
                ));
            }
        }
        if self.rate > 0.0 {
            let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
            if rng.unit() < self.rate {
                // Half before the handler (nothing changes), half after it (the change is kept).
                return Some(match rng.below(6) {
                    0 => FaultAction::Respond(
                        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too many requests (injected fault)")
                            .with_retry_after(1),
                    ),
                    1 => FaultAction::Respond(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "service unavailable (injected fault)",
                    )),
                    2 => FaultAction::Drop,
                    3 => FaultAction::After(Box::new(FaultAction::Respond(ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "service unavailable (injected fault, after the change)",
                    )))),
                    4 => FaultAction::After(Box::new(FaultAction::Respond(ApiError::new(
                        StatusCode::GATEWAY_TIMEOUT,
                        "gateway timeout (injected fault, after the change)",
                    )))),
                    _ => FaultAction::After(Box::new(FaultAction::Drop)),
                });
            }
        }
        None
    }

    fn take_scripted(&self, method: &str, path: &str) -> Option<FaultAction> {
        let mut scripted = self.scripted.lock().unwrap_or_else(PoisonError::into_inner);
        let index = scripted
            .iter()
            .position(|fault| fault.count > 0 && fault.matches(method, path))?;
        let fault = scripted[index].clone();
        scripted[index].count -= 1;
        if scripted[index].count == 0 {
            scripted.remove(index);
        }
        let respond = if fault.drop {
            Some(FaultAction::Drop)
        } else if fault.status.is_some() || fault.delay_ms.is_none() {
            let status = fault
                .status
                .and_then(|code| StatusCode::from_u16(code).ok())
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let message = fault.message.clone().unwrap_or_else(|| {
                format!("{} (scripted fault)", status.canonical_reason().unwrap_or("error")).to_lowercase()
            });
            let mut error = ApiError::new(status, message);
            error.retry_after = fault.retry_after;
            Some(FaultAction::Respond(error))
        } else {
            None
        };
        let action = match (fault.delay_ms.map(Duration::from_millis), respond) {
            (Some(delay), Some(action)) => Some(FaultAction::DelayThen(delay, Box::new(action))),
            (Some(delay), None) => Some(FaultAction::Delay(delay)),
            (None, action) => action,
        };
        if fault.after {
            action.map(|action| FaultAction::After(Box::new(action)))
        } else {
            action
        }
    }
}

/// Where a fault leaves a request once its delays have passed.
#[derive(Debug)]
pub(crate) enum Struck {
    /// Handled (or answered) as if no fault had struck.
    Pass,
    Respond(ApiError),
    Drop,
    /// Strikes again once the handler has committed.
    After(FaultAction),
}

impl FaultAction {
    /// Waits out the fault's delays and says what is left to do. Once the handler has committed
    /// (`committed`), a fault asking to strike later closes the connection.
    pub(crate) async fn strike(self, committed: bool) -> Struck {
        let mut action = self;
        loop {
            match action {
                Self::Delay(delay) => {
                    tokio::time::sleep(delay).await;
                    return Struck::Pass;
                }
                Self::DelayThen(delay, then) => {
                    tokio::time::sleep(delay).await;
                    action = *then;
                }
                Self::Respond(error) => return Struck::Respond(error),
                Self::Drop => return Struck::Drop,
                Self::After(then) if !committed => return Struck::After(*then),
                Self::After(_) => return Struck::Drop,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_faults_are_consumed_in_order() {
        let faults = Faults::new(0.0, 1, None);
        faults.script(vec![ScriptedFault {
            method: Some("GET".into()),
            path: "/v1/organizations/*".into(),
            count: 2,
            status: Some(503),
            retry_after: Some(3),
            delay_ms: None,
            drop: false,
            message: None,
            after: false,
        }]);
        assert!(faults.pick("POST", "/v1/organizations/x", None, 0).is_none());
        for _ in 0..2 {
            match faults.pick("GET", "/v1/organizations/x", None, 0) {
                Some(FaultAction::Respond(error)) => {
                    assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
                    assert_eq!(error.retry_after, Some(3));
                }
                other => panic!("expected a 503, got {other:?}"),
            }
        }
        assert!(faults.pick("GET", "/v1/organizations/x", None, 0).is_none());
    }

    #[test]
    fn rate_limit_counts_per_token_per_second() {
        let faults = Faults::new(0.0, 1, Some(2));
        assert!(faults.pick("GET", "/p", Some("a"), 10).is_none());
        assert!(faults.pick("GET", "/p", Some("a"), 10).is_none());
        assert!(faults.pick("GET", "/p", Some("b"), 10).is_none());
        assert!(matches!(
            faults.pick("GET", "/p", Some("a"), 10),
            Some(FaultAction::Respond(_))
        ));
        assert!(faults.pick("GET", "/p", Some("a"), 11).is_none());
    }

    #[test]
    fn fault_rate_is_seeded_and_close_to_the_share() {
        let count = |seed| {
            let faults = Faults::new(0.2, seed, None);
            (0..1000)
                .filter(|_| faults.pick("GET", "/p", None, 0).is_some())
                .count()
        };
        assert_eq!(count(5), count(5));
        assert!((150..250).contains(&count(5)), "{}", count(5));
    }
}

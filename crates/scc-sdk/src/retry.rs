//! When to try a request again, and how long to wait first.
//!
//! [`decide`] is a pure function of the method, what went wrong, the attempt number and a random
//! factor, so the policy is tested as a table. The rules: 429 and connect failures (nothing reached
//! the server) are retried for every method; 502, 503, 504, timeouts and broken connections only for
//! GET, PUT and DELETE (and HEAD, OPTIONS), because a POST or PATCH that may have reached the server is
//! never repeated blindly. The wait is full-jitter exponential backoff, or `Retry-After` when the
//! server sent one, capped by the maximum backoff.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::Method;

/// How many times to try and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

/// Attempts in all, by default (the first and two retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// The first wait between attempts, by default.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between attempts, by default.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(20);

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }
}

impl RetryConfig {
    /// 3 attempts, backoff from 0.5 s up to 20 s.
    pub fn new() -> Self {
        Self::default()
    }
    /// One attempt, no retry.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
    /// The backoff ceiling of the first retry; it doubles with each retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }
    /// The longest wait, `Retry-After` included.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }
    /// Attempts in all.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }
    /// The backoff ceiling of the `retry`-th retry (1-based), before jitter.
    fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(30));
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with this status; `retry_after` is its `Retry-After`.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
    /// No connection could be made: the request never reached the server.
    Connect,
    /// No connection could be made, and another attempt would fail the same way: the server's
    /// certificate was refused, or its host name does not resolve. Never retried.
    ConnectRefusedForGood,
    /// The host refused the connection (nothing listens on the port): retried once, for a server
    /// that is restarting, so the call fails within the first retry's delay, not after every retry.
    Refused,
    /// The attempt timed out: the request may have reached the server.
    Timeout,
    /// The connection broke mid-way: the request may have reached the server.
    Transport,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Give up and return the error.
    Stop(StopReason),
}

/// Why no further attempt is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The failure is not one a new attempt can fix.
    NotRetryable,
    /// The request may have reached the server and the method is not idempotent.
    Unsafe,
    /// Every attempt is spent.
    Exhausted,
}

/// True for methods a server applies the same way however often they arrive.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
    )
}

/// The retry policy. `attempt` is the number of the attempt that just failed (1 for the first);
/// `jitter` is a random number in `[0, 1)` (full jitter: the wait is `jitter × ceiling`).
///
/// ```
/// use scc_sdk::retry::{Decision, Failure, RetryConfig, StopReason, decide};
/// let config = RetryConfig::new();
/// let unavailable = Failure::Status { status: 503, retry_after: None };
/// assert!(matches!(decide(&reqwest::Method::GET, unavailable, 1, &config, 0.5), Decision::Retry(_)));
/// assert_eq!(decide(&reqwest::Method::POST, unavailable, 1, &config, 0.5), Decision::Stop(StopReason::Unsafe));
/// ```
pub fn decide(method: &Method, failure: Failure, attempt: u32, config: &RetryConfig, jitter: f64) -> Decision {
    let (retryable, safe, retry_after) = match failure {
        Failure::Status {
            status: 429,
            retry_after,
        } => (true, true, retry_after),
        Failure::Status {
            status: 502..=504,
            retry_after,
        } => (true, is_idempotent(method), retry_after),
        Failure::Status { .. } => (false, true, None),
        Failure::Connect => (true, true, None),
        Failure::ConnectRefusedForGood => (false, true, None),
        Failure::Refused => (attempt == 1, true, None),
        Failure::Timeout | Failure::Transport => (true, is_idempotent(method), None),
    };
    if !retryable {
        return Decision::Stop(StopReason::NotRetryable);
    }
    if !safe {
        return Decision::Stop(StopReason::Unsafe);
    }
    if attempt >= config.max_attempts {
        return Decision::Stop(StopReason::Exhausted);
    }
    let delay = match retry_after {
        Some(wait) => wait.min(config.max_backoff),
        None => config.ceiling(attempt).mul_f64(jitter.clamp(0.0, 1.0)),
    };
    Decision::Retry(delay)
}

/// A boxed future of a sleep.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How the SDK waits (between retries, for the rate limiter). Replace it in tests to take no time.
pub trait Sleep: Send + Sync + std::fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// What time it is (for `Retry-After` dates and token expiry). Replace it in tests.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// `tokio::time::sleep` (honours `tokio::time::pause`).
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

pub(crate) fn default_sleep() -> Arc<dyn Sleep> {
    Arc::new(TokioSleep)
}

pub(crate) fn default_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// `Retry-After` in seconds or as an HTTP date (relative to `now`).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// assert_eq!(scc_sdk::retry::parse_retry_after("7", SystemTime::now()), Some(Duration::from_secs(7)));
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let now = jiff::Timestamp::try_from(now).ok()?;
    let wait = date.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Failure {
        Failure::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn the_policy_as_a_table() {
        let config = RetryConfig::default();
        let retry = |delay_ms: u64| Decision::Retry(Duration::from_millis(delay_ms));
        use StopReason::*;
        let cases: Vec<(Method, Failure, u32, Decision)> = vec![
            // 429 and connect failures: every method.
            (Method::GET, status(429), 1, retry(250)),
            (Method::POST, status(429), 1, retry(250)),
            (Method::PATCH, status(429), 2, retry(500)),
            (Method::POST, Failure::Connect, 1, retry(250)),
            (Method::PATCH, Failure::Connect, 1, retry(250)),
            // A refused connection: once, then not again.
            (Method::POST, Failure::Refused, 1, retry(250)),
            (Method::GET, Failure::Refused, 2, Decision::Stop(NotRetryable)),
            // 502/503/504, timeouts, broken connections: idempotent methods only.
            (Method::GET, status(502), 1, retry(250)),
            (Method::PUT, status(503), 1, retry(250)),
            (Method::DELETE, status(504), 1, retry(250)),
            (Method::GET, Failure::Timeout, 1, retry(250)),
            (Method::DELETE, Failure::Transport, 1, retry(250)),
            (Method::POST, status(503), 1, Decision::Stop(Unsafe)),
            (Method::PATCH, status(502), 1, Decision::Stop(Unsafe)),
            (Method::POST, Failure::Timeout, 1, Decision::Stop(Unsafe)),
            (Method::PATCH, Failure::Transport, 1, Decision::Stop(Unsafe)),
            // Never retried.
            (Method::GET, status(500), 1, Decision::Stop(NotRetryable)),
            (Method::GET, status(400), 1, Decision::Stop(NotRetryable)),
            (Method::GET, status(401), 1, Decision::Stop(NotRetryable)),
            (Method::GET, status(404), 1, Decision::Stop(NotRetryable)),
            (Method::GET, status(409), 1, Decision::Stop(NotRetryable)),
            (
                Method::GET,
                Failure::ConnectRefusedForGood,
                1,
                Decision::Stop(NotRetryable),
            ),
            // The attempts run out.
            (Method::GET, status(503), 3, Decision::Stop(Exhausted)),
            (Method::POST, status(429), 3, Decision::Stop(Exhausted)),
        ];
        for (method, failure, attempt, expected) in cases {
            assert_eq!(
                decide(&method, failure, attempt, &config, 0.5),
                expected,
                "{method} {failure:?} attempt {attempt}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped_with_full_jitter() {
        let config = RetryConfig::new()
            .max_attempts(10)
            .initial_backoff(Duration::from_secs(1))
            .max_backoff(Duration::from_secs(5));
        let delay = |attempt, jitter| match decide(&Method::GET, status(503), attempt, &config, jitter) {
            Decision::Retry(delay) => delay,
            other => panic!("{other:?}"),
        };
        assert_eq!(delay(1, 0.999_999).as_millis(), 999);
        assert_eq!(delay(2, 0.5), Duration::from_secs(1));
        assert_eq!(delay(3, 0.5), Duration::from_secs(2));
        assert_eq!(
            delay(4, 0.5),
            Duration::from_millis(2500),
            "capped at 5 s before jitter"
        );
        assert_eq!(delay(9, 0.0), Duration::ZERO, "full jitter reaches zero");
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let config = RetryConfig::new().max_backoff(Duration::from_secs(10));
        let with = |seconds| Failure::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(seconds)),
        };
        assert_eq!(
            decide(&Method::POST, with(3), 1, &config, 0.9),
            Decision::Retry(Duration::from_secs(3))
        );
        assert_eq!(
            decide(&Method::POST, with(60), 1, &config, 0.9),
            Decision::Retry(Duration::from_secs(10))
        );
        let unavailable = Failure::Status {
            status: 503,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            decide(&Method::GET, unavailable, 1, &config, 0.1),
            Decision::Retry(Duration::from_secs(2))
        );
    }

    #[test]
    fn disabled_means_one_attempt() {
        assert_eq!(
            decide(&Method::GET, status(503), 1, &RetryConfig::disabled(), 0.5),
            Decision::Stop(StopReason::Exhausted)
        );
        assert_eq!(RetryConfig::new().max_attempts(0).get_max_attempts(), 1);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}

//! A client-side token bucket, shared by every clone of a client, so bulk work stays under the
//! service's limit instead of bouncing off 429s.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::retry::Sleep;

/// Requests per second and the burst allowed above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    per_second: f64,
    burst: u32,
}

impl RateLimit {
    /// `per_second` requests per second on average, up to `burst` at once (at least 1). A rate below
    /// [`MIN_PER_SECOND`](Self::MIN_PER_SECOND) is taken as that (no wait is ever longer than 1,000 s);
    /// one that is not a positive number as 1.
    ///
    /// ```
    /// let limit = scc_sdk::RateLimit::new(20.0, 40);
    /// assert_eq!((limit.per_second(), limit.burst()), (20.0, 40));
    /// assert_eq!(scc_sdk::RateLimit::new(1e-300, 1).per_second(), scc_sdk::RateLimit::MIN_PER_SECOND);
    /// ```
    pub fn new(per_second: f64, burst: u32) -> Self {
        Self {
            per_second: if per_second.is_finite() && per_second > 0.0 {
                per_second.max(Self::MIN_PER_SECOND)
            } else {
                1.0
            },
            burst: burst.max(1),
        }
    }

    /// The lowest rate: one request every 1,000 seconds.
    pub const MIN_PER_SECOND: f64 = 0.001;
    /// Requests per second.
    pub fn per_second(&self) -> f64 {
        self.per_second
    }
    /// Burst size.
    pub fn burst(&self) -> u32 {
        self.burst
    }
}

#[derive(Debug)]
pub(crate) struct TokenBucket {
    limit: RateLimit,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            state: Mutex::new((f64::from(limit.burst), Instant::now())),
        }
    }

    /// Takes one token, waiting for it when the bucket is empty.
    pub(crate) async fn acquire(&self, sleep: &dyn Sleep) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                let now = Instant::now();
                let elapsed = now.saturating_duration_since(state.1).as_secs_f64();
                state.0 = (state.0 + elapsed * self.limit.per_second).min(f64::from(self.limit.burst));
                state.1 = now;
                if state.0 >= 1.0 {
                    state.0 -= 1.0;
                    return;
                }
                // At most 1,000 s (the lowest rate): never an overflow.
                Duration::try_from_secs_f64((1.0 - state.0) / self.limit.per_second)
                    .unwrap_or(Duration::from_secs(1000))
            };
            sleep.sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::TokioSleep;

    #[tokio::test(start_paused = true)]
    async fn the_bucket_spaces_requests_after_the_burst() {
        let bucket = TokenBucket::new(RateLimit::new(10.0, 5));
        let start = Instant::now();
        for _ in 0..25 {
            bucket.acquire(&TokioSleep).await;
        }
        let elapsed = start.elapsed();
        // 5 at once, then 20 at 10 per second: 2 s of virtual time.
        assert!(
            elapsed >= Duration::from_millis(1_990) && elapsed <= Duration::from_millis(2_100),
            "{elapsed:?}"
        );
    }
}

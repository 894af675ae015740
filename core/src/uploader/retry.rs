//! Retry timing: exponential backoff with jitter, `Retry-After` honoured, and a bound on
//! the total time one request may spend retrying.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    Exhausted,
    Deadline,
}

/// Retry bookkeeping of the request at the head of a session's queue.
#[derive(Debug, Default, Clone)]
pub(crate) struct RetryState {
    pub attempts: u32,
    pub first_failure: Option<Instant>,
    pub next_at: Option<Instant>,
}

impl RetryState {
    pub fn reset(&mut self) {
        *self = RetryState::default();
    }

    pub fn is_waiting(&self, now: Instant) -> bool {
        self.next_at.is_some_and(|at| at > now)
    }

    /// Schedules the next attempt, or says why there will be none: it would start after
    /// the total retry bound, or after the shutdown deadline.
    pub fn schedule(
        &mut self,
        policy: &RetryPolicy,
        now: Instant,
        retry_after: Option<Duration>,
        hard_deadline: Option<Instant>,
    ) -> Result<(), GiveUp> {
        let first = *self.first_failure.get_or_insert(now);
        self.attempts += 1;
        let at = now + retry_after.unwrap_or_else(|| policy.backoff(self.attempts));
        if hard_deadline.is_some_and(|deadline| at > deadline) {
            return Err(GiveUp::Deadline);
        }
        if at > first + policy.max_total {
            return Err(GiveUp::Exhausted);
        }
        self.next_at = Some(at);
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub initial: Duration,
    pub max: Duration,
    /// Bound on the total time one request may spend retrying.
    pub max_total: Duration,
}

impl RetryPolicy {
    /// initial, 2×initial, 4×initial, ... capped at `max`, each with ±20 % jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .initial
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max);
        // uuid's thread-local RNG is already here; no need for another crate for one number.
        let random =
            (crate::event::id::new_id().as_u64_pair().0 >> 11) as f64 / (1u64 << 53) as f64;
        base.mul_f64(0.8 + 0.4 * random)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        initial: Duration::from_millis(100),
        max: Duration::from_secs(5),
        max_total: Duration::from_secs(2),
    };

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for attempt in 1..=20 {
            let base = POLICY
                .initial
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(POLICY.max);
            let d = POLICY.backoff(attempt);
            assert!(
                d >= base.mul_f64(0.8) && d <= base.mul_f64(1.2),
                "attempt {attempt}: {d:?}"
            );
        }
    }

    #[test]
    fn gives_up_past_the_total_bound_or_the_deadline() {
        let now = Instant::now();
        let mut r = RetryState::default();
        assert_eq!(
            r.schedule(&POLICY, now, Some(Duration::from_secs(1)), None),
            Ok(())
        );
        assert_eq!(
            r.schedule(&POLICY, now, Some(Duration::from_secs(3)), None),
            Err(GiveUp::Exhausted)
        );
        let mut r = RetryState::default();
        let deadline = Some(now + Duration::from_millis(500));
        assert_eq!(
            r.schedule(&POLICY, now, Some(Duration::from_secs(1)), deadline),
            Err(GiveUp::Deadline)
        );
    }
}

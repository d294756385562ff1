//! One budget for every call to Chaster: at most `limit` requests in any 60-second window
//! (Chaster allows 100 per minute per IP, and the whole server shares one IP).
//!
//! Requests for a person in front of the page come first: background work (webhook jobs,
//! polling, penalties) may only use the budget minus a reserve, and waits for its turn, while an
//! interactive call that would wait long fails at once with a rate-limit error instead.
//! A 429 from Chaster pauses everyone for its `Retry-After`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::ChasterError;

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// Someone is waiting for the answer.
    Interactive,
    /// Workers and pollers: they wait for a free slot.
    Background,
}

#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    reserve: usize,
    max_interactive_wait: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    sent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl RateLimiter {
    /// `limit` requests per minute; a fifth of them (at least 1) is kept for interactive calls.
    pub fn new(limit: u32, max_interactive_wait: Duration) -> RateLimiter {
        let limit = limit.max(1) as usize;
        let reserve = if limit > 1 { (limit / 5).max(1) } else { 0 };
        RateLimiter {
            limit,
            reserve,
            max_interactive_wait,
            state: Mutex::new(State::default()),
        }
    }

    /// Waits for a slot (interactive calls only briefly) and takes it.
    pub async fn acquire(&self, priority: Priority) -> Result<(), ChasterError> {
        loop {
            let wait = match self.try_take(priority, Instant::now()) {
                None => return Ok(()),
                Some(wait) => wait,
            };
            if priority == Priority::Interactive && wait > self.max_interactive_wait {
                return Err(ChasterError::RateLimited {
                    retry_after: Some(Duration::from_secs(wait.as_secs().max(1))),
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a slot now, or says how long until one may be free.
    fn try_take(&self, priority: Priority, now: Instant) -> Option<Duration> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = state.paused_until.filter(|u| *u > now) {
            return Some(until - now);
        }
        while state
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            state.sent.pop_front();
        }
        let allowed = match priority {
            Priority::Interactive => self.limit,
            Priority::Background => self.limit - self.reserve,
        };
        if state.sent.len() < allowed {
            state.sent.push_back(now);
            return None;
        }
        // The slot frees when enough of the oldest requests leave the window.
        let oldest_blocking = state.sent[state.sent.len() - allowed];
        Some((oldest_blocking + WINDOW).saturating_duration_since(now) + Duration::from_millis(1))
    }

    /// Chaster said 429: nobody calls it before `for_` has passed.
    pub fn pause(&self, for_: Duration) {
        let until = Instant::now() + for_;
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.paused_until = Some(state.paused_until.map_or(until, |u| u.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_window_of_a_minute_holds_more_than_the_limit() {
        let limiter = RateLimiter::new(10, Duration::from_secs(2));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..25 {
            limiter.acquire(Priority::Background).await.unwrap();
            times.push(Instant::now() - start);
        }
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..].iter().filter(|u| **u - *t < WINDOW).count();
            assert!(
                in_window <= 8,
                "{in_window} background requests in one minute"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn interactive_calls_keep_a_reserve_and_fail_fast_when_it_is_gone() {
        let limiter = RateLimiter::new(10, Duration::from_secs(2));
        for _ in 0..8 {
            limiter.acquire(Priority::Background).await.unwrap();
        }
        // Background is exhausted; the reserve is still there for people.
        limiter.acquire(Priority::Interactive).await.unwrap();
        limiter.acquire(Priority::Interactive).await.unwrap();
        let refused = limiter.acquire(Priority::Interactive).await;
        assert!(matches!(refused, Err(ChasterError::RateLimited { .. })));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_caller_back() {
        let limiter = RateLimiter::new(100, Duration::from_secs(2));
        limiter.pause(Duration::from_secs(7));
        let start = Instant::now();
        limiter.acquire(Priority::Background).await.unwrap();
        assert!(Instant::now() - start >= Duration::from_secs(7));
        assert!(limiter.acquire(Priority::Interactive).await.is_ok());
    }
}

//! One budget for every call to Chaster: at most `limit` requests in any 60-second window
//! (Chaster allows 100 per minute per IP, and the whole server shares one IP).
//!
//! Each class keeps a reserve the other cannot take: page requests (interactive) may use at most
//! `limit − background_reserve`, so openings, relocks, penalties and history lines always find a
//! slot however many pages are open (a flood of page requests once held a release back for the
//! whole flood); background work may use at most `limit − interactive_reserve`, so people are not
//! starved by a burst of jobs either. An interactive call that would wait long fails at once.
//! A 429 from Chaster pauses everyone, for at most one window: Chaster counts per minute.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
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
    /// Confirming an opening Chaster asked for (a release): background work with a reserve of
    /// its own that other background work (history lines, penalties) cannot take, so a burst of
    /// history lines never holds a release back.
    Opening,
}

impl Priority {
    /// Openings count as background work against the class caps.
    fn class(self) -> Priority {
        match self {
            Priority::Interactive => Priority::Interactive,
            Priority::Background | Priority::Opening => Priority::Background,
        }
    }
}

/// What the limiter granted so far (tests and the bench read it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LimiterStats {
    pub interactive_granted: u64,
    pub interactive_refused: u64,
    pub background_granted: u64,
    /// Background grants that had to wait for a slot.
    pub background_waited: u64,
    pub longest_background_wait: Duration,
}

#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    interactive_reserve: usize,
    background_reserve: usize,
    /// Of the background share, kept for openings.
    opening_reserve: usize,
    max_interactive_wait: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    sent: VecDeque<(Instant, Priority)>,
    paused_until: Option<Instant>,
    stats: LimiterStats,
}

impl RateLimiter {
    /// `limit` requests per minute; a third of them (at least 1) is kept for background work, a
    /// fifth (at least 1) for interactive calls, and a tenth (at least 1) of the background share
    /// for openings.
    pub fn new(limit: u32, max_interactive_wait: Duration) -> RateLimiter {
        let limit = limit.max(1) as usize;
        let (interactive_reserve, background_reserve, opening_reserve) = if limit > 2 {
            ((limit / 5).max(1), (limit / 3).max(1), (limit / 10).max(1))
        } else {
            (0, 0, 0)
        };
        RateLimiter {
            limit,
            interactive_reserve,
            background_reserve,
            opening_reserve,
            max_interactive_wait,
            state: Mutex::new(State::default()),
        }
    }

    /// Waits for a slot (interactive calls only briefly) and takes it.
    pub async fn acquire(&self, priority: Priority) -> Result<(), ChasterError> {
        self.acquire_within(priority, None).await
    }

    /// As [`acquire`](Self::acquire), but a background call that would wait longer than
    /// `max_wait` fails at once with the wait as its `retry_after`: a job then runs again later
    /// and frees its worker instead of holding it while the budget refills.
    pub async fn acquire_within(
        &self,
        priority: Priority,
        max_wait: Option<Duration>,
    ) -> Result<(), ChasterError> {
        let started = Instant::now();
        let mut slept = false;
        loop {
            let (wait, paused) = match self.try_take(priority, Instant::now()) {
                None => break,
                Some(w) => w,
            };
            // Nobody sleeps through a pause: a job retries later and frees its worker.
            let bounded = max_wait.is_some_and(|m| wait > m);
            if bounded
                || ((priority == Priority::Interactive || paused)
                    && wait > self.max_interactive_wait)
            {
                if priority == Priority::Interactive {
                    self.lock().stats.interactive_refused += 1;
                }
                return Err(ChasterError::RateLimited {
                    retry_after: Some(Duration::from_secs(wait.as_secs().max(1))),
                });
            }
            tokio::time::sleep(wait).await;
            slept = true;
        }
        let waited = started.elapsed();
        let mut state = self.lock();
        match priority {
            Priority::Interactive => state.stats.interactive_granted += 1,
            Priority::Background | Priority::Opening => {
                state.stats.background_granted += 1;
                if slept {
                    state.stats.background_waited += 1;
                }
                state.stats.longest_background_wait =
                    state.stats.longest_background_wait.max(waited);
            }
        }
        Ok(())
    }

    pub fn stats(&self) -> LimiterStats {
        self.lock().stats.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a slot now, or says how long until one may be free (and whether Chaster paused us).
    fn try_take(&self, priority: Priority, now: Instant) -> Option<(Duration, bool)> {
        let mut state = self.lock();
        if let Some(until) = state.paused_until.filter(|u| *u > now) {
            return Some((until - now, true));
        }
        while state
            .sent
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) >= WINDOW)
        {
            state.sent.pop_front();
        }
        let class_cap = match priority {
            Priority::Interactive => self.limit - self.background_reserve,
            Priority::Opening => self.limit - self.interactive_reserve,
            Priority::Background => {
                (self.limit - self.interactive_reserve).saturating_sub(self.opening_reserve)
            }
        };
        let of_class: Vec<Instant> = state
            .sent
            .iter()
            .filter(|(_, p)| p.class() == priority.class())
            .map(|(t, _)| *t)
            .collect();
        if state.sent.len() < self.limit && of_class.len() < class_cap {
            state.sent.push_back((now, priority));
            return None;
        }
        // A slot frees when enough of the oldest requests (of the class, or of all) leave.
        let free_at = |times: &[Instant], cap: usize| {
            (times.len() >= cap && cap > 0).then(|| times[times.len() - cap] + WINDOW)
        };
        let all: Vec<Instant> = state.sent.iter().map(|(t, _)| *t).collect();
        let at = [free_at(&all, self.limit), free_at(&of_class, class_cap)]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(now + WINDOW);
        Some((
            at.saturating_duration_since(now) + Duration::from_millis(1),
            false,
        ))
    }

    /// Chaster said 429: nobody calls it before `for_` has passed (at most one window).
    pub fn pause(&self, for_: Duration) {
        let now = Instant::now();
        let until = now.checked_add(for_.min(WINDOW)).unwrap_or(now);
        let mut state = self.lock();
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
        for _ in 0..7 {
            limiter.acquire(Priority::Background).await.unwrap();
        }
        limiter.acquire(Priority::Opening).await.unwrap();
        // Background is exhausted (openings included); the reserve is still there for people.
        limiter.acquire(Priority::Interactive).await.unwrap();
        limiter.acquire(Priority::Interactive).await.unwrap();
        let refused = limiter.acquire(Priority::Interactive).await;
        assert!(matches!(refused, Err(ChasterError::RateLimited { .. })));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_caller_back_and_lasts_one_window_at_most() {
        let limiter = RateLimiter::new(100, Duration::from_secs(2));
        limiter.pause(Duration::from_secs(7));
        assert!(
            limiter.acquire(Priority::Background).await.is_err(),
            "a job does not sleep through a pause"
        );
        assert!(limiter.acquire(Priority::Interactive).await.is_err());
        tokio::time::advance(Duration::from_secs(7)).await;
        assert!(limiter.acquire(Priority::Background).await.is_ok());
        limiter.pause(Duration::from_secs(u64::MAX / 2));
        tokio::time::advance(WINDOW).await;
        assert!(limiter.acquire(Priority::Interactive).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn history_lines_cannot_take_the_share_kept_for_openings_and_a_job_does_not_wait_long() {
        let limiter = RateLimiter::new(90, Duration::from_secs(2));
        let bound = Some(Duration::from_secs(1));
        let t0 = Instant::now();
        let mut granted = 0;
        while limiter
            .acquire_within(Priority::Background, bound)
            .await
            .is_ok()
        {
            granted += 1;
        }
        assert_eq!(
            granted, 63,
            "background work gets its share minus the openings' tenth"
        );
        assert_eq!(Instant::now(), t0, "the refusal came at once");
        let start = Instant::now();
        for _ in 0..9 {
            limiter
                .acquire_within(Priority::Opening, bound)
                .await
                .unwrap();
        }
        assert_eq!(Instant::now(), start, "openings did not wait");
        let refused = limiter.acquire_within(Priority::Opening, bound).await;
        assert!(
            matches!(refused, Err(ChasterError::RateLimited { retry_after: Some(d) }) if d <= WINDOW),
            "a full budget defers the job instead of holding its worker: {refused:?}"
        );
        assert!(limiter.acquire(Priority::Interactive).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn page_requests_cannot_take_the_share_kept_for_background_work() {
        let limiter = RateLimiter::new(90, Duration::from_secs(2));
        let mut granted = 0;
        while limiter.acquire(Priority::Interactive).await.is_ok() {
            granted += 1;
        }
        assert_eq!(granted, 60, "pages get the budget minus a third");
        let start = Instant::now();
        for _ in 0..10 {
            limiter.acquire(Priority::Background).await.unwrap();
        }
        assert_eq!(Instant::now(), start, "background work did not wait");
        assert_eq!(limiter.stats().background_waited, 0);
    }
}

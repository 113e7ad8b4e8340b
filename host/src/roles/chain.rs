//! A provider chain with resilience, for any role with interchangeable providers (speech
//! now, telephony next): the operator orders the providers; each has a circuit breaker;
//! retryable failures are retried with exponential backoff and jitter within the call's
//! deadline; when a provider is exhausted or its breaker is open, the next one serves.
//! Failures that retrying cannot fix (a bad key, a bad request) end the call at once, so
//! the caller is told rather than silently served by someone else.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use crate::config::speech::Resilience;

/// What a failure means for the chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Worth trying again (timeouts, 5xx, rate limits), after at least this long if given.
    Retry(Option<Duration>),
    /// Retrying cannot help and the caller must know (bad key, bad voice, bad request).
    Fatal,
    /// Not this provider's outage and not worth repeating (a crash on this input, a busy
    /// host): the next provider may do, and the breaker is left as it is.
    Skip,
    /// This provider's outage, but not worth repeating now (it stalled and used its share of
    /// the time): counted against its breaker, and the next provider gets the rest.
    Next,
}

/// The time an attempt has: the whole call's deadline, and its share of what was left when
/// it started (how long it may wait for a first chunk, and then between chunks).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub deadline: Instant,
    pub share: Duration,
}

/// A breaker's state, as `get_server_status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug)]
struct Breaker {
    state: State,
    /// While half-open: when the one trial call in flight was let through.
    trial: Option<Instant>,
    consecutive_failures: u32,
    half_open_successes: u32,
    opened_at: Option<Instant>,
    opened_count: u64,
}

impl Breaker {
    fn new() -> Self {
        Self {
            state: State::Closed,
            trial: None,
            consecutive_failures: 0,
            half_open_successes: 0,
            opened_at: None,
            opened_count: 0,
        }
    }
}

/// One provider's breaker, for the status report.
#[derive(Debug, Clone, Serialize)]
pub struct BreakerStatus {
    pub state: State,
    pub consecutive_failures: u32,
    /// How many times it has opened since the host started.
    pub opened: u64,
    /// When open: how long until a trial call goes through, in ms.
    pub retry_in_ms: Option<u64>,
}

/// The breakers of every provider, by provider key, kept across catalog swaps so that a
/// reload does not forget that a provider is down.
#[derive(Default)]
pub struct Breakers {
    map: Mutex<HashMap<String, Breaker>>,
}

impl Breakers {
    fn with<R>(&self, key: &str, f: impl FnOnce(&mut Breaker) -> R) -> R {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        f(map.entry(key.to_owned()).or_insert_with(Breaker::new))
    }

    /// Whether a call may go to `key` now. An open breaker past its wait turns half-open,
    /// and a half-open one lets one trial call through at a time (a trial whose caller went
    /// away is given up after the open period).
    pub fn allow(&self, key: &str, settings: &Resilience) -> bool {
        let open_for = Duration::from_millis(settings.open_ms);
        self.with(key, |b| match b.state {
            State::Closed => true,
            State::HalfOpen => {
                let free = b.trial.is_none_or(|t| t.elapsed() >= open_for);
                if free {
                    b.trial = Some(Instant::now());
                }
                free
            }
            State::Open => {
                let waited = b.opened_at.is_none_or(|t| t.elapsed() >= open_for);
                if waited {
                    b.state = State::HalfOpen;
                    b.half_open_successes = 0;
                    b.trial = Some(Instant::now());
                    tracing::info!(provider = key, "breaker half-open: letting a trial call through");
                }
                waited
            }
        })
    }

    /// Whether the breaker is open now: a call admitted before it opened, still waiting for
    /// its turn, does not go to the provider.
    pub fn is_open(&self, key: &str, settings: &Resilience) -> bool {
        let open_for = Duration::from_millis(settings.open_ms);
        self.with(key, |b| b.state == State::Open && b.opened_at.is_some_and(|t| t.elapsed() < open_for))
    }

    /// Ends a trial call that neither succeeded nor failed as an outage.
    pub fn release(&self, key: &str) {
        self.with(key, |b| b.trial = None);
    }

    pub fn success(&self, key: &str, settings: &Resilience) {
        self.with(key, |b| {
            b.consecutive_failures = 0;
            b.trial = None;
            if b.state == State::HalfOpen {
                b.half_open_successes += 1;
                if b.half_open_successes >= settings.successes_to_close {
                    b.state = State::Closed;
                    tracing::info!(provider = key, "breaker closed: the provider has recovered");
                }
            }
        })
    }

    /// Records a failure; returns whether the breaker is (now) open.
    pub fn failure(&self, key: &str, settings: &Resilience) -> bool {
        self.with(key, |b| {
            b.consecutive_failures += 1;
            b.trial = None;
            let trip = b.state == State::HalfOpen || b.consecutive_failures >= settings.failures_to_open;
            if trip && b.state != State::Open {
                b.state = State::Open;
                b.opened_at = Some(Instant::now());
                b.opened_count += 1;
                tracing::warn!(provider = key, failures = b.consecutive_failures, "breaker opened");
            }
            b.state == State::Open
        })
    }

    pub fn status(&self, key: &str, settings: &Resilience) -> BreakerStatus {
        self.with(key, |b| BreakerStatus {
            state: b.state,
            consecutive_failures: b.consecutive_failures,
            opened: b.opened_count,
            retry_in_ms: (b.state == State::Open).then(|| {
                let open = Duration::from_millis(settings.open_ms);
                open.saturating_sub(b.opened_at.map(|t| t.elapsed()).unwrap_or(open)).as_millis() as u64
            }),
        })
    }
}

/// What happened on the way to an answer, for the result and the logs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attempts {
    /// Every attempt that failed or was skipped: provider and why.
    pub failed: Vec<Failure>,
    /// Attempts made, successful one included.
    pub attempts: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub provider: String,
    pub reason: String,
}

/// Why no provider answered.
#[derive(Debug)]
pub enum ChainError<E> {
    /// A failure retrying cannot fix, from this provider.
    Fatal { provider: String, error: E, attempts: Attempts },
    /// Every provider failed or was skipped.
    Exhausted { attempts: Attempts },
    /// The deadline came before any provider answered.
    Deadline { attempts: Attempts },
}

/// Runs `attempt` against `providers` (key, provider) in order, with retries, breakers and
/// failover, until one succeeds, a failure is fatal, or the deadline comes. Each attempt gets
/// its [`Budget`]: the deadline bounds the attempt in flight too (the attempt cuts itself
/// there), and no attempt or retry starts after it.
pub async fn run<P, T, E, F, Fut>(
    providers: &[(String, P)],
    breakers: &Breakers,
    settings: &Resilience,
    classify: impl Fn(&E) -> Verdict,
    mut attempt: F,
) -> Result<(T, String, Attempts), ChainError<E>>
where
    F: FnMut(&P, Budget) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let deadline = Instant::now() + Duration::from_millis(settings.deadline_ms);
    let mut attempts = Attempts::default();
    for (rank, (key, provider)) in providers.iter().enumerate() {
        if !breakers.allow(key, settings) {
            attempts.failed.push(Failure { provider: key.clone(), reason: "circuit breaker open".into() });
            continue;
        }
        let mut backoff = Duration::from_millis(settings.backoff_ms);
        for retry in 0..=settings.max_retries {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                breakers.release(key);
                return Err(ChainError::Deadline { attempts });
            }
            let untried = (providers.len() - rank) as u32;
            let budget = Budget { deadline, share: left / untried.max(1) };
            attempts.attempts += 1;
            let error = match attempt(provider, budget).await {
                Ok(value) => {
                    breakers.success(key, settings);
                    if !attempts.failed.is_empty() {
                        tracing::warn!(provider = %key, failed = attempts.failed.len(), "served after failover or retries");
                    }
                    return Ok((value, key.clone(), attempts));
                }
                Err(error) => error,
            };
            let verdict = classify(&error);
            attempts.failed.push(Failure { provider: key.clone(), reason: error.to_string() });
            let after = match verdict {
                Verdict::Retry(after) => after,
                // The first choice's fatal error is the caller's to fix. A stand-in's
                // (it lacks what was asked, say) only means it cannot stand in.
                Verdict::Fatal if rank == 0 => {
                    breakers.release(key);
                    return Err(ChainError::Fatal { provider: key.clone(), error, attempts });
                }
                Verdict::Fatal | Verdict::Skip => {
                    breakers.release(key);
                    break;
                }
                Verdict::Next => {
                    breakers.failure(key, settings);
                    tracing::warn!(provider = %key, "provider stalled; the next one gets the rest of the time");
                    break;
                }
            };
            let open = breakers.failure(key, settings);
            let wait = after.unwrap_or(jitter(backoff)).max(Duration::ZERO);
            backoff = (backoff * 2).min(Duration::from_millis(settings.max_backoff_ms));
            // A wait (a Retry-After included) that would end past the deadline is not waited:
            // the next provider gets the time instead.
            let out_of_time = Instant::now() + wait >= deadline;
            if open || retry == settings.max_retries || out_of_time {
                tracing::warn!(provider = %key, retries = retry, open, "provider exhausted; trying the next one");
                break;
            }
            tracing::info!(provider = %key, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }
    if Instant::now() >= deadline {
        return Err(ChainError::Deadline { attempts });
    }
    Err(ChainError::Exhausted { attempts })
}

/// Full jitter between half and all of `d`, so that callers retrying together spread out.
fn jitter(d: Duration) -> Duration {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|t| t.subsec_nanos()).unwrap_or(0);
    let fraction = 0.5 + f64::from(nanos % 1000) / 2000.0;
    d.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn fast() -> Resilience {
        Resilience { backoff_ms: 1, max_backoff_ms: 2, open_ms: 50, ..Resilience::default() }
    }

    // The chain hands each error by reference to its own type, here `String`.
    #[allow(clippy::ptr_arg)]
    fn classify(e: &String) -> Verdict {
        if e.starts_with("fatal") { Verdict::Fatal } else { Verdict::Retry(None) }
    }

    #[tokio::test]
    async fn retries_then_fails_over_then_the_breaker_opens_and_recovers() {
        let settings = fast();
        let breakers = Breakers::default();
        let providers = vec![("a".to_string(), "a"), ("b".to_string(), "b")];
        let calls_a = AtomicU32::new(0);
        let down = std::sync::atomic::AtomicBool::new(true);
        let attempt = |p: &&'static str, _: Budget| {
            let p = *p;
            let (calls_a, down) = (&calls_a, &down);
            async move {
                if p == "a" {
                    calls_a.fetch_add(1, Ordering::SeqCst);
                    if down.load(Ordering::SeqCst) {
                        return Err::<&str, String>("a is down".into());
                    }
                }
                Ok(p)
            }
        };
        // First call: a is tried 4 times (1 + 3 retries), then b serves.
        let (served, by, attempts) = run(&providers, &breakers, &settings, classify, attempt).await.unwrap();
        assert_eq!((served, by.as_str(), attempts.attempts), ("b", "b", 5));
        assert_eq!(calls_a.load(Ordering::SeqCst), 4);
        // Second call: the fifth failure opens a's breaker; from then on a is skipped at once.
        run(&providers, &breakers, &settings, classify, attempt).await.unwrap();
        assert_eq!(breakers.status("a", &settings).state, State::Open);
        let before = calls_a.load(Ordering::SeqCst);
        let (_, by, attempts) = run(&providers, &breakers, &settings, classify, attempt).await.unwrap();
        assert_eq!((by.as_str(), calls_a.load(Ordering::SeqCst)), ("b", before));
        assert_eq!(attempts.failed[0].reason, "circuit breaker open");
        // a heals; after the open period, three successful trials close the breaker.
        down.store(false, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(60)).await;
        for _ in 0..3 {
            let (_, by, _) = run(&providers, &breakers, &settings, classify, attempt).await.unwrap();
            assert_eq!(by, "a");
        }
        assert_eq!(breakers.status("a", &settings).state, State::Closed);
    }

    #[tokio::test]
    async fn a_fatal_error_ends_the_call_without_failover() {
        let settings = fast();
        let breakers = Breakers::default();
        let providers = vec![("a".to_string(), ()), ("b".to_string(), ())];
        let calls = AtomicU32::new(0);
        let outcome = run(&providers, &breakers, &settings, classify, |_, _| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Err::<(), String>("fatal: bad key".into()) }
        })
        .await;
        assert!(matches!(outcome, Err(ChainError::Fatal { ref provider, .. }) if provider == "a"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(breakers.status("a", &settings).consecutive_failures, 0, "a fatal error is not an outage");
    }

    #[tokio::test]
    async fn a_stand_in_that_cannot_serve_is_passed_over() {
        let settings = fast();
        let breakers = Breakers::default();
        let providers = vec![("a".to_string(), "a"), ("b".to_string(), "b"), ("c".to_string(), "c")];
        let (_, by, attempts) = run(&providers, &breakers, &settings, classify, |p: &&'static str, _| {
            let p = *p;
            async move {
                match p {
                    "a" => Err("a is down".to_string()),
                    "b" => Err("fatal: b has no such model".to_string()),
                    _ => Ok(()),
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(by, "c");
        assert!(attempts.failed.iter().any(|f| f.reason.contains("no such model")));
    }

    #[test]
    fn a_half_open_breaker_lets_one_trial_through_at_a_time() {
        let settings = Resilience { failures_to_open: 1, open_ms: 0, ..fast() };
        let breakers = Breakers::default();
        assert!(breakers.failure("a", &settings));
        assert!(breakers.allow("a", &settings), "open past its wait: the trial goes");
        let settings = Resilience { open_ms: 60_000, ..settings };
        assert!(!breakers.allow("a", &settings), "a second caller waits for the trial");
        breakers.success("a", &settings);
        assert!(breakers.allow("a", &settings), "the next trial goes once the first is done");
    }

    #[tokio::test]
    async fn each_attempt_gets_its_share_and_nothing_starts_past_the_deadline() {
        let settings = Resilience { deadline_ms: 300, ..fast() };
        let breakers = Breakers::default();
        let providers = vec![("a".to_string(), "a"), ("b".to_string(), "b"), ("c".to_string(), "c")];
        let shares = std::sync::Mutex::new(Vec::new());
        let started = Instant::now();
        // Every provider uses its whole share and fails: a, then b, then c, then the deadline.
        let outcome = run(
            &providers,
            &breakers,
            &settings,
            |_: &String| Verdict::Next,
            |p: &&'static str, budget| {
                let p = *p;
                shares.lock().unwrap().push((p, budget.share));
                async move {
                    tokio::time::sleep(budget.share).await;
                    Err::<(), String>(format!("{p} stalled"))
                }
            },
        )
        .await;
        assert!(matches!(outcome, Err(ChainError::Deadline { .. })), "{outcome:?}");
        let shares = shares.into_inner().unwrap();
        assert_eq!(shares.iter().map(|(p, _)| *p).collect::<Vec<_>>(), ["a", "b", "c"]);
        // A third of 300 ms, then half of the rest, then all of it.
        let ms: Vec<u128> = shares.iter().map(|(_, s)| s.as_millis()).collect();
        assert!((95..=100).contains(&ms[0]) && (90..=101).contains(&ms[1]) && (85..=101).contains(&ms[2]), "{ms:?}");
        assert!(started.elapsed() < Duration::from_millis(450), "{:?}", started.elapsed());
        for p in ["a", "b", "c"] {
            assert_eq!(breakers.status(p, &settings).consecutive_failures, 1, "a stall counts against {p}");
        }
    }

    #[tokio::test]
    async fn a_retry_after_past_the_deadline_moves_on() {
        let settings = Resilience { deadline_ms: 100, ..fast() };
        let breakers = Breakers::default();
        let providers = vec![("a".to_string(), "a"), ("b".to_string(), "b")];
        let started = Instant::now();
        let (_, by, _) = run(
            &providers,
            &breakers,
            &settings,
            |_: &String| Verdict::Retry(Some(Duration::from_secs(30))),
            |p: &&'static str, _| {
                let p = *p;
                async move { if p == "a" { Err("429".to_string()) } else { Ok(()) } }
            },
        )
        .await
        .unwrap();
        assert_eq!(by, "b");
        assert!(started.elapsed() < Duration::from_millis(50), "no waiting for a retry-after past the deadline");
    }
}

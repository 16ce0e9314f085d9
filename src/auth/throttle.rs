//! Slowing down guessing and flooding.
//!
//! - [`lockout`]: after [`FREE_FAILURES`] wrong passwords in a row an account is locked for
//!   30 s, doubling with each further failure up to 15 minutes. The counter lives in the
//!   `users` row, so every instance sees it; a right password clears it.
//! - [`RateLimiter`]: a token bucket per client (IP address) and purpose, in memory. Each
//!   instance counts its own clients; behind a load balancer that spreads one client over N
//!   instances the effective limit is up to N times higher, which is acceptable for a limit
//!   meant to stop floods, not to meter.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords in a row before an account is locked.
pub const FREE_FAILURES: i32 = 5;
const FIRST_LOCK_S: u64 = 30;
const LONGEST_LOCK_S: u64 = 15 * 60;

/// How long an account stays locked after its `failed`-th failure in a row.
pub fn lockout(failed: i32) -> Option<Duration> {
    if failed < FREE_FAILURES {
        return None;
    }
    let doublings = (failed - FREE_FAILURES).min(10) as u32;
    Some(Duration::from_secs(
        (FIRST_LOCK_S << doublings).min(LONGEST_LOCK_S),
    ))
}

/// A limit: `burst` requests at once, refilled at `per_minute`. `per_minute == 0` turns the
/// limit off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const OFF: Rate = Rate {
        per_minute: 0,
        burst: 0,
    };

    pub fn per_minute(per_minute: u32, burst: u32) -> Rate {
        Rate {
            per_minute,
            burst: burst.max(1),
        }
    }

    pub fn is_off(&self) -> bool {
        self.per_minute == 0
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by client. Cheap to share (`Arc` it); a mutex around a map is
/// enough at doorstep's request rates (a check is a hash lookup and a few flops).
pub struct RateLimiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Most clients remembered before full buckets are forgotten.
const MAX_KEYS: usize = 50_000;

impl RateLimiter {
    pub fn new(rate: Rate) -> Self {
        RateLimiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Takes one token for `key` at `now`; `Err(seconds)` says when to try again.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        if self.rate.is_off() {
            return Ok(());
        }
        let per_s = f64::from(self.rate.per_minute) / 60.0;
        let burst = f64::from(self.rate.burst);
        // A poisoned lock only means another thread panicked mid-update of a counter: the
        // map is still usable.
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_s < burst);
        }
        let b = map.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled =
            (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * per_s).min(burst);
        b.at = now;
        if refilled >= 1.0 {
            b.tokens = refilled - 1.0;
            Ok(())
        } else {
            b.tokens = refilled;
            Err(((1.0 - refilled) / per_s).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_and_stop_growing() {
        assert_eq!(lockout(4), None);
        assert_eq!(lockout(5), Some(Duration::from_secs(30)));
        assert_eq!(lockout(6), Some(Duration::from_secs(60)));
        assert_eq!(lockout(9), Some(Duration::from_secs(480)));
        assert_eq!(lockout(10), Some(Duration::from_secs(900)));
        assert_eq!(lockout(1000), Some(Duration::from_secs(900)));
    }

    #[test]
    fn a_burst_then_the_refill_rate() {
        let l = RateLimiter::new(Rate::per_minute(60, 3));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.check("a", t0), Ok(()));
        }
        assert_eq!(l.check("a", t0), Err(1));
        assert_eq!(l.check("b", t0), Ok(()), "clients are counted apart");
        assert_eq!(l.check("a", t0 + Duration::from_millis(1100)), Ok(()));
        assert!(l.check("a", t0 + Duration::from_millis(1200)).is_err());
        let slow = RateLimiter::new(Rate::per_minute(2, 1));
        assert_eq!(slow.check("x", t0), Ok(()));
        assert_eq!(slow.check("x", t0), Err(30));
        let off = RateLimiter::new(Rate::OFF);
        for _ in 0..1000 {
            assert_eq!(off.check("x", t0), Ok(()));
        }
    }
}

//! "At most N in a while": how many times one key (a staff member, a
//! client address) may do something costly within a window, in memory on
//! each server. Kept small: keys idle for a window are forgotten, and past
//! [`MAX_KEYS`] the memory starts over, so strangers cannot make it grow.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys remembered at most.
pub const MAX_KEYS: usize = 10_000;

pub struct Quota<K> {
    per_window: usize,
    window: Duration,
    recent: Mutex<HashMap<K, VecDeque<Instant>>>,
}

impl<K: Eq + Hash> Quota<K> {
    pub fn new(per_window: usize, window: Duration) -> Quota<K> {
        Quota {
            per_window,
            window,
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one use by `key`; `false` (and not counted) when over the
    /// quota.
    pub fn take(&self, key: K) -> bool {
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= MAX_KEYS {
            recent.retain(|_, times| times.back().is_some_and(|t| now - *t < self.window));
            if recent.len() >= MAX_KEYS {
                recent.clear();
            }
        }
        let times = recent.entry(key).or_default();
        while times.front().is_some_and(|t| now - *t >= self.window) {
            times.pop_front();
        }
        if times.len() >= self.per_window {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_quota() {
        let quota = Quota::new(3, Duration::from_secs(60));
        assert!(quota.take(1) && quota.take(1) && quota.take(1));
        assert!(!quota.take(1), "the fourth in a minute");
        assert!(quota.take(2), "someone else's");
    }

    #[test]
    fn a_window_later_it_is_free_again() {
        let quota = Quota::new(1, Duration::from_millis(20));
        assert!(quota.take("a"));
        assert!(!quota.take("a"));
        std::thread::sleep(Duration::from_millis(30));
        assert!(quota.take("a"));
    }
}

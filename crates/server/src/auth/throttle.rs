//! Brute-force protection: failed sign-ins counted per account and per
//! client address in fixed windows. Pure bookkeeping; `now` is passed in.
//!
//! An attempt is counted as a failure when it *starts* ([`SignInThrottle::begin`]),
//! and forgiven when its password turns out right
//! ([`SignInThrottle::succeeded`]): a burst of concurrent guesses cannot
//! slip past the limit while the first ones are still being checked.

use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    time::{Duration, Instant},
};

/// At most `failures` failed sign-ins per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub failures: u32,
    pub window: Duration,
}

/// The sign-in limits (see `docs/decisions.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInLimits {
    /// Per e-mail address: slows guessing one person's password to a crawl.
    pub per_account: Limit,
    /// Per client address: higher, since an office may share one address,
    /// and it stops one address trying a few passwords on every account.
    pub per_client: Limit,
    /// The most accounts, and the most addresses, tracked at once.
    pub capacity: usize,
}

impl Default for SignInLimits {
    fn default() -> Self {
        let window = Duration::from_secs(15 * 60);
        Self {
            per_account: Limit { failures: 10, window },
            per_client: Limit { failures: 100, window },
            capacity: 100_000,
        }
    }
}

/// The account an attempt is for: the e-mail address as the database
/// compares it (trimmed, case-insensitive).
pub fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The client an attempt comes from: IPv4 addresses as they are, IPv6 by
/// their /64 (one household or server usually holds a whole /64), IPv4
/// mapped into IPv6 as IPv4. `None` when the address is unknown: those
/// attempts share one bucket.
pub fn client_key(addr: Option<IpAddr>) -> Option<IpAddr> {
    match addr? {
        IpAddr::V4(v4) => Some(IpAddr::V4(v4)),
        IpAddr::V6(v6) => Some(match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        }),
    }
}

#[derive(Clone, Copy, Debug)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Failures per key in fixed windows that start with a key's first failure.
#[derive(Debug)]
pub struct FailureCounter<K> {
    limit: Limit,
    capacity: usize,
    windows: HashMap<K, Window>,
    /// Past windows are dropped when the map reaches this size, which then
    /// doubles from what is left: pruning costs O(1) per failure, amortized.
    prune_at: usize,
}

const MIN_PRUNE_AT: usize = 1_024;

impl<K: Hash + Eq + Clone> FailureCounter<K> {
    pub fn new(limit: Limit, capacity: usize) -> Self {
        Self { limit, capacity: capacity.max(1), windows: HashMap::new(), prune_at: MIN_PRUNE_AT }
    }

    /// How long `key` must wait, if it has used up its failures at `now`.
    pub fn blocked_for(&self, key: &K, now: Instant) -> Option<Duration> {
        let window = self.windows.get(key)?;
        let ends = window.started + self.limit.window;
        (window.failures >= self.limit.failures && now < ends).then(|| ends - now)
    }

    pub fn record_failure(&mut self, key: K, now: Instant) {
        if !self.windows.contains_key(&key) {
            self.make_room(now);
        }
        let limit = self.limit;
        let window = self.windows.entry(key).or_insert(Window { started: now, failures: 0 });
        if now >= window.started + limit.window {
            *window = Window { started: now, failures: 0 };
        }
        window.failures = window.failures.saturating_add(1);
    }

    /// Takes back one failure (an attempt that turned out to be right).
    pub fn forgive_one(&mut self, key: &K) {
        if let Some(window) = self.windows.get_mut(key) {
            window.failures = window.failures.saturating_sub(1);
        }
    }

    pub fn clear(&mut self, key: &K) {
        self.windows.remove(key);
    }

    pub fn len(&self) -> usize {
        self.windows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    fn make_room(&mut self, now: Instant) {
        if self.windows.len() + 1 >= self.prune_at.min(self.capacity) {
            let window = self.limit.window;
            self.windows.retain(|_, w| now < w.started + window);
            self.prune_at = (self.windows.len() * 2).max(MIN_PRUNE_AT);
        }
        if self.windows.len() >= self.capacity {
            // Still full of live windows: forget the one that ends soonest.
            let oldest = self.windows.iter().min_by_key(|(_, w)| w.started).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.windows.remove(&oldest);
            }
        }
    }
}

/// Both counters of failed sign-ins.
#[derive(Debug)]
pub struct SignInThrottle {
    accounts: FailureCounter<String>,
    clients: FailureCounter<Option<IpAddr>>,
}

impl SignInThrottle {
    pub fn new(limits: SignInLimits) -> Self {
        Self {
            accounts: FailureCounter::new(limits.per_account, limits.capacity),
            clients: FailureCounter::new(limits.per_client, limits.capacity),
        }
    }

    /// Starts an attempt for `account` (see [`account_key`]) from `client`
    /// (see [`client_key`]): refused with how long to wait when either has
    /// used up its failures, otherwise counted as a failure until
    /// [`Self::succeeded`] says otherwise.
    pub fn begin(&mut self, account: &str, client: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let waits =
            [self.accounts.blocked_for(&account.to_owned(), now), self.clients.blocked_for(&client, now)];
        if let Some(wait) = waits.into_iter().flatten().max() {
            return Err(wait);
        }
        self.accounts.record_failure(account.to_owned(), now);
        self.clients.record_failure(client, now);
        Ok(())
    }

    /// The attempt begun for `account` from `client` never got to its
    /// password check (the server was too busy): it is not held against either.
    pub fn abandoned(&mut self, account: &str, client: Option<IpAddr>) {
        self.accounts.forgive_one(&account.to_owned());
        self.clients.forgive_one(&client);
    }

    /// The attempt begun for `account` from `client` was right: the
    /// account's failures are forgotten, and this attempt is not held against the client.
    pub fn succeeded(&mut self, account: &str, client: Option<IpAddr>) {
        self.accounts.clear(&account.to_owned());
        self.clients.forgive_one(&client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    fn throttle(per_account: u32, per_client: u32) -> SignInThrottle {
        let window = 15 * MINUTE;
        SignInThrottle::new(SignInLimits {
            per_account: Limit { failures: per_account, window },
            per_client: Limit { failures: per_client, window },
            capacity: 1_000,
        })
    }

    #[test]
    fn the_eleventh_guess_at_one_account_waits_for_the_window_to_pass() {
        let mut throttle = throttle(10, 100);
        let start = Instant::now();
        for n in 0..10 {
            assert_eq!(throttle.begin("ana@x.test", ip("10.0.0.1"), start + n * MINUTE / 10), Ok(()), "{n}");
        }
        let later = start + 5 * MINUTE;
        assert_eq!(throttle.begin("ana@x.test", ip("10.0.0.1"), later), Err(10 * MINUTE));
        // From another address too: the account is what is being guessed.
        assert_eq!(throttle.begin("ana@x.test", ip("10.9.9.9"), later), Err(10 * MINUTE));
        // Other accounts are not affected.
        assert_eq!(throttle.begin("ben@x.test", ip("10.0.0.2"), later), Ok(()));
        // Once the window has passed, guessing may start again.
        assert_eq!(throttle.begin("ana@x.test", ip("10.0.0.1"), start + 15 * MINUTE), Ok(()));
    }

    #[test]
    fn a_right_password_clears_the_accounts_failures() {
        let mut throttle = throttle(3, 100);
        let now = Instant::now();
        for _ in 0..2 {
            throttle.begin("ana@x.test", None, now).unwrap();
        }
        throttle.begin("ana@x.test", None, now).unwrap();
        throttle.succeeded("ana@x.test", None);
        for _ in 0..3 {
            assert_eq!(throttle.begin("ana@x.test", None, now), Ok(()));
        }
        assert!(throttle.begin("ana@x.test", None, now).is_err());
    }

    #[test]
    fn one_address_trying_many_accounts_is_stopped_by_the_client_limit() {
        let mut throttle = throttle(10, 5);
        let now = Instant::now();
        for n in 0..5 {
            assert_eq!(throttle.begin(&format!("user{n}@x.test"), ip("10.0.0.1"), now), Ok(()));
        }
        assert_eq!(throttle.begin("user9@x.test", ip("10.0.0.1"), now), Err(15 * MINUTE));
        assert_eq!(throttle.begin("user9@x.test", ip("10.0.0.2"), now), Ok(()));
    }

    #[test]
    fn successful_sign_ins_from_one_address_never_add_up() {
        let mut throttle = throttle(10, 3);
        let now = Instant::now();
        for n in 0..50 {
            let account = format!("user{n}@x.test");
            throttle.begin(&account, ip("10.0.0.1"), now).unwrap();
            throttle.succeeded(&account, ip("10.0.0.1"));
        }
    }

    #[test]
    fn addresses_and_accounts_are_normalised() {
        assert_eq!(account_key("  Ana@X.Test "), "ana@x.test");
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("2001:db8:1:2:bbbb::9")), ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(client_key(ip("10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(client_key(None), None);
    }

    #[test]
    fn past_windows_are_pruned_and_the_map_never_exceeds_its_capacity() {
        let limit = Limit { failures: 1, window: MINUTE };
        let mut counter = FailureCounter::new(limit, 5_000);
        let start = Instant::now();
        for n in 0..3_000u32 {
            counter.record_failure(n, start);
        }
        assert_eq!(counter.len(), 3_000);
        // A minute later the old windows are dropped once the map has
        // doubled since the last pruning (4,090 here), leaving only the new ones.
        for n in 3_000..4_100u32 {
            counter.record_failure(n, start + MINUTE);
        }
        assert!(counter.len() <= 1_100, "{}", counter.len());

        let mut small = FailureCounter::new(limit, 3);
        for n in 0..10u32 {
            small.record_failure(n, start + n * Duration::from_secs(1));
        }
        assert_eq!(small.len(), 3);
        assert!(small.blocked_for(&9, start + Duration::from_secs(9)).is_some(), "the newest is kept");
        assert!(small.blocked_for(&0, start + Duration::from_secs(9)).is_none(), "the oldest went first");
    }
}

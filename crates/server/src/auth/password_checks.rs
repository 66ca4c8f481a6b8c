//! At most a few password checks at once.
//!
//! Each Argon2 check takes milliseconds of CPU and [`super::password`]'s
//! 4 MiB of memory. Given its own blocking thread per request, a burst of
//! 1,024 wrong passwords ran hundreds at once and took the server from 26 MB
//! to gigabytes, most of it still held afterwards (issue 11). Checks beyond
//! the number of cores only queue for the CPU anyway, so a sign-in waits for
//! one of that many slots; one that cannot get a slot within
//! [`PasswordChecks::wait`] is answered 429 with `Retry-After`.

use std::{sync::Arc, time::Duration};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};

/// How long a sign-in may wait for a free slot before it is turned away.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// The slots password checks run in.
#[derive(Debug)]
pub struct PasswordChecks {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Default for PasswordChecks {
    /// One slot per core.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, QUEUE_WAIT)
    }
}

impl PasswordChecks {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self { slots: Arc::new(Semaphore::new(concurrency.max(1))), wait }
    }

    /// Waits (at most [`Self::wait`]) for a slot; 429 if none came free.
    pub async fn slot(&self) -> Result<CheckSlot> {
        let busy = || Error::RateLimited {
            message: "Too many sign-ins at once; try again in a moment.".into(),
            retry_after: Duration::from_secs(1),
        };
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(CheckSlot { _permit: permit }),
            // The semaphore is never closed; treat it like a full queue if it were.
            Ok(Err(_)) | Err(_) => Err(busy()),
        }
    }
}

/// A slot held for one sign-in: its account lookup and password check.
#[derive(Debug)]
pub struct CheckSlot {
    _permit: OwnedSemaphorePermit,
}

impl CheckSlot {
    /// Runs `check` on a blocking thread, off the async workers; the slot is
    /// held until `check` returns, even if the request is dropped meanwhile.
    pub async fn run<T: Send + 'static>(self, check: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        Ok(tokio::task::spawn_blocking(move || {
            let _slot = self;
            check()
        })
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn beyond_the_slots_a_check_waits_then_is_turned_away_with_retry_after() {
        let checks = PasswordChecks::new(2, Duration::from_secs(2));
        let (first, second) = (checks.slot().await.unwrap(), checks.slot().await.unwrap());
        let started = tokio::time::Instant::now();
        let Err(Error::RateLimited { retry_after, .. }) = checks.slot().await else { panic!("a third slot") };
        assert_eq!(retry_after, Duration::from_secs(1));
        assert_eq!(started.elapsed(), Duration::from_secs(2), "it waited before giving up");

        drop(first);
        let third = checks.slot().await.expect("a freed slot is taken");
        assert_eq!(third.run(|| 7).await.unwrap(), 7);
        drop(second);
        assert!(checks.slot().await.is_ok(), "a slot comes back when its check is done");
    }
}

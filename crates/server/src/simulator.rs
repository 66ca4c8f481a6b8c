//! Live demo activity: at a modest rate, adjust a quantity, finish a package,
//! or create a new one, each through the event bus like any API change.

use std::time::Duration;

use rusqlite::Transaction;
use tokio::sync::watch;

use crate::{
    AppState,
    db::{self, packages::NewPackage, seed},
    error::Result,
    packages::package_events,
};

/// One simulated change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Adjust,
    Finish,
    Create,
}

/// Picks the next action from a roll in 0..100: mostly adjustments.
pub fn pick(roll: u8) -> Action {
    match roll {
        0..=79 => Action::Adjust,
        80..=91 => Action::Finish,
        _ => Action::Create,
    }
}

/// Runs until `stop` turns true.
pub async fn run(state: AppState, mean_interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut rng = fastrand::Rng::new();
    loop {
        // Uniform in [0.5, 1.5) × mean: a steady but irregular pace.
        let wait = mean_interval.mul_f64(0.5 + rng.f64());
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        let seed = rng.u64(..);
        let action = pick(rng.u8(..100));
        if let Err(e) = state.events.change(move |tx, now| step(tx, now, action, seed)).await {
            tracing::warn!(error = %e, ?action, "simulated change failed");
        }
    }
}

fn step(
    tx: &Transaction,
    now: &str,
    action: Action,
    seed: u64,
) -> Result<((), Vec<budtags_wire::RealtimeEvent>)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (license_index, license) = {
        let i = rng.usize(..seed::LICENSES.len());
        (i, seed::LICENSES[i].0)
    };
    let row = match action {
        Action::Create => {
            let serial: u64 = tx.query_row("SELECT COUNT(*) FROM packages", [], |r| r.get(0))?;
            let label = seed::tag(license_index, 900_000_000 + serial);
            let item_id: i64 =
                tx.query_row("SELECT id FROM items ORDER BY random() LIMIT 1", [], |r| r.get(0))?;
            let new = NewPackage {
                license,
                label: &label,
                item_id,
                location: "Processing",
                quantity: rng.u32(10..200) as f64,
            };
            Some((db::packages::create(tx, &new, now)?, new.quantity))
        }
        Action::Adjust | Action::Finish => {
            let picked: Option<(i64, f64)> = tx
                .query_row(
                    "SELECT id, quantity FROM packages WHERE license_number = ?1 AND finished_date IS NULL
                     ORDER BY random() LIMIT 1",
                    [license],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ok();
            match (picked, action) {
                (None, _) => None,
                (Some((id, _)), Action::Finish) => db::packages::finish(tx, id, now)?.map(|row| (row, 0.0)),
                (Some((id, quantity)), _) => {
                    // Whole units stay whole (items counted `Each`).
                    let take = quantity * rng.f64() * 0.2;
                    let take =
                        if quantity.fract() == 0.0 { take.ceil() } else { (take * 100.0).round() / 100.0 };
                    let after = (quantity - take).max(0.0);
                    db::packages::set_quantity(tx, id, after, now)?.map(|row| (row, after - quantity))
                }
            }
        }
    };
    let events = match row {
        Some((row, change)) => package_events(tx, &row, change)?,
        None => Vec::new(),
    };
    Ok(((), events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mostly_adjusts_sometimes_finishes_or_creates() {
        let picks: Vec<Action> = (0..100).map(pick).collect();
        let count = |a| picks.iter().filter(|&&p| p == a).count();
        assert_eq!(count(Action::Adjust), 80);
        assert_eq!(count(Action::Finish), 12);
        assert_eq!(count(Action::Create), 8);
    }
}

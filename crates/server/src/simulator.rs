//! Live demo activity: at a modest rate, adjust a quantity, finish a package,
//! or create a new one, each through the event bus like any API change; and
//! about every [`LABEL_REQUEST_INTERVAL`], a demo operator asks for a label,
//! so the approvals queue grows while the demo runs.

use std::time::{Duration, Instant};

use rusqlite::Transaction;
use tokio::sync::watch;

use crate::{
    AppState,
    db::{self, labels::Request, packages::NewPackage, seed, seed_users::DEMO_USERS},
    error::Result,
    packages::record_change,
};

/// Who the simulator's changes are by, in package history.
pub const SIMULATOR: &str = "Simulator";

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

/// About how often a simulated label request arrives.
pub const LABEL_REQUEST_INTERVAL: Duration = Duration::from_secs(30);

/// Runs until `stop` turns true.
pub async fn run(state: AppState, mean_interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut rng = fastrand::Rng::new();
    let mut next_request = Instant::now() + LABEL_REQUEST_INTERVAL.mul_f64(0.5 + rng.f64());
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
        if Instant::now() >= next_request {
            next_request = Instant::now() + LABEL_REQUEST_INTERVAL.mul_f64(0.5 + rng.f64());
            let seed = rng.u64(..);
            if let Err(e) = state.events.change(move |tx, now| request_label(tx, now, seed)).await {
                tracing::warn!(error = %e, "simulated label request failed");
            }
        }
    }
}

/// A demo operator of a random organization asks for a label for one of its
/// active packages; its approvers' queues hear `LabelRequested`.
fn request_label(tx: &Transaction, now: &str, seed: u64) -> Result<((), Vec<budtags_wire::RealtimeEvent>)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (organization_id, _) = seed::ORGANIZATIONS[rng.usize(..seed::ORGANIZATIONS.len())];
    let Some(person) = DEMO_USERS
        .iter()
        .find(|u| u.organization_id == organization_id && u.role == budtags_wire::Role::Operator)
    else {
        return Ok(((), Vec::new()));
    };
    let picked: Option<(i64, f64)> = tx
        .query_row(
            "SELECT p.id, p.quantity FROM packages p JOIN licenses l ON l.license_number = p.license_number
             WHERE l.organization_id = ?1 AND p.finished_date IS NULL AND p.quantity > 0
             ORDER BY random() LIMIT 1",
            [organization_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    if let Some((package_id, quantity)) = picked {
        let request =
            Request { organization_id, package_id, quantity, copies: rng.u32(1..4), by: person.name };
        let label = db::labels::request(tx, &request, now)?;
        let event = budtags_wire::RealtimeEvent::LabelRequested {
            organization_id,
            label_id: label.id,
            requested_by: person.name.to_owned(),
        };
        return Ok(((), vec![event]));
    }
    Ok(((), Vec::new()))
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
            Some((db::packages::create(tx, &new, now)?, new.quantity, "created"))
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
                (Some((id, _)), Action::Finish) => {
                    db::packages::finish(tx, id, now)?.map(|row| (row, 0.0, "finished"))
                }
                (Some((id, quantity)), _) => {
                    // Whole units stay whole (items counted `Each`).
                    let take = quantity * rng.f64() * 0.2;
                    let take =
                        if quantity.fract() == 0.0 { take.ceil() } else { (take * 100.0).round() / 100.0 };
                    let after = (quantity - take).max(0.0);
                    let kind = if after == 0.0 { "finished" } else { "adjusted" };
                    db::packages::set_quantity(tx, id, after, now)?.map(|row| (row, after - quantity, kind))
                }
            }
        }
    };
    let events = match row {
        Some((row, change, kind)) => record_change(tx, &row, change, kind, SIMULATOR)?,
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

    #[tokio::test]
    async fn a_simulated_request_joins_an_organizations_pending_queue_by_its_operator() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(crate::Store::open(&dir.path().join("sim.sqlite3"), 20).unwrap());
        let pending = |state: AppState| async move {
            state
                .store
                .call(|conn| {
                    Ok(conn.query_row("SELECT COUNT(*) FROM labels WHERE status = 'pending'", [], |r| {
                        r.get::<_, i64>(0)
                    })?)
                })
                .await
                .unwrap()
        };
        let before = pending(state.clone()).await;
        let mut heard = state.events.subscribe();
        for seed in 0..3 {
            state.events.change(move |tx, now| request_label(tx, now, seed)).await.unwrap();
        }
        assert_eq!(pending(state.clone()).await, before + 3);
        for _ in 0..3 {
            let envelope = heard.try_recv().expect("each request is announced");
            assert!(
                matches!(&envelope.event, budtags_wire::RealtimeEvent::LabelRequested { requested_by, .. }
                    if requested_by.ends_with("Operator")),
                "{envelope:?}"
            );
        }
        let newest = state
            .store
            .call(|conn| {
                Ok(conn.query_row("SELECT requested_by FROM labels ORDER BY id DESC LIMIT 1", [], |r| {
                    r.get::<_, String>(0)
                })?)
            })
            .await
            .unwrap();
        assert!(newest.ends_with("Operator"), "{newest}");
    }
}

//! Demo data for the workspaces, deterministic and written whenever its table
//! is empty (so databases from before migration 0004 get it too):
//! - the packages on every demo transfer (`PackageCount` of them; the
//!   received transfers' packages are already accepted);
//! - per organization 12 pending, 6 approved and 3 rejected labels, requested
//!   by its demo users;
//! - the demo label jobs' labels, and their sheet URL.

use rusqlite::{Connection, Transaction, params};

use super::{seed::ORGANIZATIONS, seed_users::DEMO_USERS};

/// Labels per organization in the demo data: (status, how many).
pub const DEMO_LABELS: &[(&str, usize)] = &[("pending", 12), ("approved", 6), ("rejected", 3)];

const REASONS: &[&str] = &[
    "Quantity on the label does not match the package.",
    "Lab results are not in yet; request again once it passes.",
    "Wrong product name: this is the 1g cart, not the 0.5g.",
];

/// The tag of package `n` on transfer `transfer_id`: `1A4`, a six-character
/// shipper code (`0E…`, unlike the licenses' `0F01…`) and a fifteen-digit serial.
pub fn transfer_tag(transfer_id: i64, n: usize) -> String {
    format!("1A4{:06X}{:015}", 0x0E0000 + transfer_id, n + 1)
}

pub fn seed_if_empty(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    if count(&tx, "SELECT COUNT(*) FROM transfer_packages")? == 0 {
        seed_transfer_packages(&tx)?;
    }
    if count(&tx, "SELECT COUNT(*) FROM labels")? == 0 {
        for (organization_id, _) in ORGANIZATIONS {
            seed_labels(&tx, *organization_id)?;
        }
    }
    if count(&tx, "SELECT COUNT(*) FROM job_labels")? == 0 {
        seed_job_labels(&tx)?;
    }
    tx.commit()
}

fn count(tx: &Transaction, sql: &str) -> rusqlite::Result<i64> {
    tx.query_row(sql, [], |r| r.get(0))
}

fn seed_transfer_packages(tx: &Transaction) -> rusqlite::Result<()> {
    let transfers: Vec<(i64, u32, Option<String>)> = {
        let mut stmt =
            tx.prepare("SELECT id, package_count, received_date_time FROM transfers ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?
    };
    let items: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT id, unit_name FROM items ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
    };
    if items.is_empty() {
        return Ok(());
    }
    let mut insert = tx.prepare(
        "INSERT INTO transfer_packages (transfer_id, label, item_id, shipped_quantity, state,
            received_quantity, checked_in_by, checked_in_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (transfer_id, package_count, received_at) in transfers {
        let mut rng = fastrand::Rng::with_seed(0x7A4F_0000 + transfer_id as u64);
        for n in 0..package_count as usize {
            let (item_id, unit) = &items[rng.usize(..items.len())];
            let shipped = match unit.as_str() {
                "Each" => rng.u32(10..200) as f64,
                "Pounds" => rng.u32(1..10) as f64,
                _ => rng.u32(28..900) as f64,
            };
            let (state, received, by) = match &received_at {
                Some(_) => ("Accepted", Some(shipped), Some("Omar Operator")),
                None => ("Shipped", None, None),
            };
            insert.execute(params![
                transfer_id,
                transfer_tag(transfer_id, n),
                item_id,
                shipped,
                state,
                received,
                by,
                received_at
            ])?;
        }
    }
    Ok(())
}

fn seed_labels(tx: &Transaction, organization_id: i64) -> rusqlite::Result<()> {
    let wanted: usize = DEMO_LABELS.iter().map(|(_, n)| n).sum();
    let packages: Vec<(i64, f64)> = {
        let mut stmt = tx.prepare(
            "SELECT p.id, p.quantity FROM packages p JOIN licenses l ON l.license_number = p.license_number
             WHERE l.organization_id = ?1 AND p.finished_date IS NULL AND p.quantity > 0
             ORDER BY p.id LIMIT ?2",
        )?;
        stmt.query_map(params![organization_id, wanted as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let people: Vec<&str> =
        DEMO_USERS.iter().filter(|u| u.organization_id == organization_id).map(|u| u.name).collect();
    let Some(approver) = DEMO_USERS
        .iter()
        .find(|u| u.organization_id == organization_id && u.role.can_decide_labels())
        .map(|u| u.name)
    else {
        return Ok(());
    };
    let statuses = DEMO_LABELS.iter().flat_map(|(status, n)| std::iter::repeat_n(*status, *n));
    for (i, ((package_id, quantity), status)) in packages.into_iter().zip(statuses).enumerate() {
        let requested_at =
            format!("2026-11-{:02}T{:02}:{:02}:00+00:00", 10 + i % 14, 8 + i % 9, (i * 7) % 60);
        let decided_at = (status != "pending").then(|| requested_at.replace(":00+", ":30+"));
        let reason = (status == "rejected").then(|| REASONS[i % REASONS.len()]);
        tx.execute(
            "INSERT INTO labels (organization_id, package_id, quantity, copies, requested_by, requested_at,
                status, decided_by, decided_at, reason, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                organization_id,
                package_id,
                quantity,
                1 + (i % 3) as u32,
                people[i % people.len()],
                requested_at,
                status,
                (status != "pending").then_some(approver),
                decided_at,
                reason,
                if status == "pending" { 1 } else { 2 }
            ],
        )?;
    }
    Ok(())
}

/// Gives each demo job (completed, from migration 0003's seed) up to three of
/// its organization's approved labels, and the sheet URL the API serves.
fn seed_job_labels(tx: &Transaction) -> rusqlite::Result<()> {
    let jobs: Vec<(String, i64)> = {
        let mut stmt = tx.prepare("SELECT id, organization_id FROM jobs ORDER BY id")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
    };
    for (job_id, organization_id) in jobs {
        let labels: Vec<i64> = {
            let mut stmt = tx.prepare(
                "SELECT id FROM labels WHERE organization_id = ?1 AND status = 'approved' ORDER BY id LIMIT 3",
            )?;
            stmt.query_map([organization_id], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        for (position, label_id) in labels.iter().enumerate() {
            tx.execute(
                "INSERT INTO job_labels (job_id, label_id, position) VALUES (?1, ?2, ?3)",
                params![job_id, label_id, position as i64],
            )?;
        }
        let creator = DEMO_USERS.iter().find(|u| u.organization_id == organization_id).map(|u| u.name);
        tx.execute(
            "UPDATE jobs SET result_url = CASE WHEN status = 'completed' THEN ?2 ELSE result_url END,
                created_by = COALESCE(?3, created_by)
             WHERE id = ?1",
            params![job_id, format!("/api/jobs/{job_id}/sheet"), creator],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::seed;

    #[test]
    fn transfer_tags_are_24_characters_and_never_a_licenses_tag() {
        let tag = transfer_tag(9, 0);
        assert_eq!(tag.len(), 24, "{tag}");
        assert!(tag.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        for li in 0..seed::LICENSES.len() {
            assert_ne!(&seed::tag(li, 1)[..9], &tag[..9]);
        }
    }
}

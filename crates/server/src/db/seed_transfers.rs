//! Demo incoming transfers (three per license) and one finished label job per
//! organization: the things `private-transfer.{id}` and `private-job.{id}`
//! channels are about. Deterministic, and written whenever the tables are
//! empty, so databases created before these tables existed get them too.

use rusqlite::{Connection, params};

use super::seed::{LICENSES, ORGANIZATIONS};

/// Shippers that deliver to the demo licenses: (license number, facility name).
const SHIPPERS: &[(&str, &str)] = &[
    ("C11-0000301-LIC", "Emerald Triangle Distribution"),
    ("C11-0000302-LIC", "Coastal Labs & Packaging"),
    ("C11-0000303-LIC", "Redwood Valley Farms"),
];

/// How many transfers each license receives in the demo data.
pub const TRANSFERS_PER_LICENSE: usize = 3;

/// The id of demo transfer `n` (0-based) to license `license_index`.
pub fn transfer_id(license_index: usize, n: usize) -> i64 {
    (license_index * TRANSFERS_PER_LICENSE + n + 1) as i64
}

/// The id of the demo label job of organization `organization_id`.
pub fn demo_job_id(organization_id: i64) -> String {
    format!("demo-{organization_id}")
}

pub fn seed_if_empty(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let transfers: i64 = tx.query_row("SELECT COUNT(*) FROM transfers", [], |r| r.get(0))?;
    if transfers == 0 {
        for (li, (license, _, _)) in LICENSES.iter().enumerate() {
            let known: i64 =
                tx.query_row("SELECT COUNT(*) FROM licenses WHERE license_number = ?1", [license], |r| {
                    r.get(0)
                })?;
            if known == 0 {
                continue;
            }
            for n in 0..TRANSFERS_PER_LICENSE {
                let id = transfer_id(li, n);
                let (shipper, shipper_name) = SHIPPERS[n % SHIPPERS.len()];
                let package_count = 4 + (id as u32 * 3) % 9;
                // The first transfer of each license has arrived; the others are on the way.
                let received = if n == 0 { package_count } else { 0 };
                let day = 280 + id as u32;
                let created = format!("{}T08:{:02}:00+00:00", super::seed::date(day), id % 60);
                let eta = format!("{}T15:00:00+00:00", super::seed::date(day + 2));
                let received_at = (n == 0).then(|| format!("{}T16:30:00+00:00", super::seed::date(day + 2)));
                let modified = received_at.clone().unwrap_or_else(|| created.clone());
                tx.execute(
                    "INSERT INTO transfers (id, manifest_number, shipper_facility_license_number,
                        shipper_facility_name, recipient_facility_license_number, package_count,
                        received_package_count, created_date_time, estimated_arrival_date_time,
                        received_date_time, last_modified)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        id,
                        format!("{id:010}"),
                        shipper,
                        shipper_name,
                        license,
                        package_count,
                        received,
                        created,
                        eta,
                        received_at,
                        modified
                    ],
                )?;
            }
        }
    }
    let jobs: i64 = tx.query_row("SELECT COUNT(*) FROM jobs", [], |r| r.get(0))?;
    if jobs == 0 {
        for (org, _) in ORGANIZATIONS {
            let known: i64 =
                tx.query_row("SELECT COUNT(*) FROM organizations WHERE id = ?1", [org], |r| r.get(0))?;
            if known == 0 {
                continue;
            }
            let id = demo_job_id(*org);
            tx.execute(
                "INSERT INTO jobs (id, organization_id, status, progress, result_url, created_at)
                 VALUES (?1, ?2, 'completed', 100, ?3, '2026-10-01T09:00:00+00:00')",
                params![id, org, format!("/labels/{id}.pdf")],
            )?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_ids_are_distinct_across_licenses() {
        let mut ids: Vec<i64> = (0..LICENSES.len())
            .flat_map(|li| (0..TRANSFERS_PER_LICENSE).map(move |n| transfer_id(li, n)))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), LICENSES.len() * TRANSFERS_PER_LICENSE);
        assert_eq!(ids[0], 1);
    }
}

//! Deterministic demo data: two organizations, three licenses, a catalogue of
//! items and thousands of packages per license with realistic Metrc shapes.
//! The same seed always gives the same rows, so tests and screenshots agree.

use rusqlite::{Connection, params};

pub const ORGANIZATIONS: &[(i64, &str)] = &[(1, "Green Leaf Holdings"), (2, "Sierra Cultivation Co.")];

/// (license number, facility name, organization id)
pub const LICENSES: &[(&str, &str, i64)] = &[
    ("C11-0000090-LIC", "Green Leaf Oakland", 1),
    ("C11-0000091-LIC", "Green Leaf Sacramento", 1),
    ("CML17-0000001", "Sierra Farms Nevada City", 2),
];

/// (name, category, strain, unit name, unit abbreviation)
const ITEMS: &[(&str, &str, Option<&str>, &str, &str)] = &[
    ("Blue Dream Flower", "Flower", Some("Blue Dream"), "Grams", "g"),
    ("OG Kush Flower", "Flower", Some("OG Kush"), "Grams", "g"),
    ("Sour Diesel Flower", "Flower", Some("Sour Diesel"), "Ounces", "oz"),
    ("Gelato Smalls", "Flower", Some("Gelato"), "Pounds", "lb"),
    ("Blue Dream Pre-Roll 1g", "Pre-Roll", Some("Blue Dream"), "Each", "ea"),
    ("Jack Herer Pre-Roll 5pk", "Pre-Roll", Some("Jack Herer"), "Each", "ea"),
    ("Wedding Cake Cart 0.5g", "Vape Cartridge", Some("Wedding Cake"), "Each", "ea"),
    ("Pineapple Express Cart 1g", "Vape Cartridge", Some("Pineapple Express"), "Each", "ea"),
    ("Live Resin Badder", "Concentrate", Some("Zkittlez"), "Grams", "g"),
    ("Shatter Bulk", "Concentrate", Some("GSC"), "Grams", "g"),
    ("Watermelon Gummies 100mg", "Edible", None, "Each", "ea"),
    ("Dark Chocolate Bar 100mg", "Edible", None, "Each", "ea"),
    ("CBD Tincture 30ml", "Tincture", None, "Each", "ea"),
    ("Relief Balm 2oz", "Topical", None, "Each", "ea"),
    ("Clones - Gelato", "Immature Plants", Some("Gelato"), "Each", "ea"),
    ("Trim Bulk", "Shake/Trim", Some("Mixed"), "Pounds", "lb"),
];

const LOCATIONS: &[&str] =
    &["Vault", "Flower Room A", "Flower Room B", "Processing", "Quarantine", "Shipping Bay"];

const LAB_STATES: &[&str] = &[
    "TestPassed",
    "TestPassed",
    "TestPassed",
    "NotSubmitted",
    "SubmittedForTesting",
    "TestingInProgress",
    "TestFailed",
    "RetestPassed",
    "NotRequired",
];

/// The 24-character tag of package `n` of license `license_index`: `1A4`, a
/// six-character facility code and a fifteen-digit serial.
pub fn tag(license_index: usize, n: u64) -> String {
    format!("1A4{:06X}{:015}", 0x0F0100 + license_index, n)
}

pub fn seed_if_empty(conn: &mut Connection, packages_per_license: usize) -> rusqlite::Result<()> {
    let existing: i64 = conn.query_row("SELECT COUNT(*) FROM organizations", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (id, name) in ORGANIZATIONS {
        tx.execute("INSERT INTO organizations (id, name) VALUES (?1, ?2)", params![id, name])?;
    }
    for (number, facility, org) in LICENSES {
        tx.execute(
            "INSERT INTO licenses (license_number, facility_name, organization_id) VALUES (?1, ?2, ?3)",
            params![number, facility, org],
        )?;
    }
    for (i, (name, category, strain, unit, abbr)) in ITEMS.iter().enumerate() {
        tx.execute(
            "INSERT INTO items (id, name, category, strain, unit_name, unit_abbr)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![i as i64 + 1, name, category, strain, unit, abbr],
        )?;
    }
    let mut rng = fastrand::Rng::with_seed(0xB0D7A6);
    {
        let mut insert = tx.prepare(
            "INSERT INTO packages (license_number, label, package_type, item_id, location_name,
                quantity, original_quantity, packaged_date, last_modified, finished_date,
                lab_testing_state, is_on_hold)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for (li, (license, _, _)) in LICENSES.iter().enumerate() {
            for n in 0..packages_per_license {
                let item = rng.usize(..ITEMS.len());
                let (_, category, _, unit, _) = ITEMS[item];
                let original = match unit {
                    "Each" => rng.u32(10..500) as f64,
                    "Pounds" => rng.u32(1..20) as f64,
                    _ => rng.u32(28..2000) as f64,
                };
                let finished = rng.u8(..100) < 20;
                // Items counted `Each` stay whole.
                let remaining = original * rng.f64();
                let quantity = match (finished, unit) {
                    (true, _) => 0.0,
                    (false, "Each") => remaining.round(),
                    (false, _) => (remaining * 100.0).round() / 100.0,
                };
                let day_of_year = rng.u32(1..300);
                let packaged = date(day_of_year);
                let modified = format!(
                    "{}T{:02}:{:02}:00+00:00",
                    date(day_of_year + rng.u32(0..20)),
                    rng.u32(6..20),
                    rng.u32(0..60)
                );
                let finished_date = finished.then(|| date(day_of_year + 20));
                let package_type = if category == "Immature Plants" { "ImmaturePlant" } else { "Product" };
                insert.execute(params![
                    license,
                    tag(li, n as u64 + 1),
                    package_type,
                    item as i64 + 1,
                    LOCATIONS[rng.usize(..LOCATIONS.len())],
                    quantity,
                    original,
                    packaged,
                    modified,
                    finished_date,
                    LAB_STATES[rng.usize(..LAB_STATES.len())],
                    rng.u8(..100) < 3,
                ])?;
            }
        }
    }
    tx.commit()
}

/// A date in 2026 from its day of the year (1-based, clamped to the year).
pub(crate) fn date(day_of_year: u32) -> String {
    let date =
        time::Date::from_ordinal_date(2026, day_of_year.clamp(1, 365) as u16).expect("day clamped into 2026");
    format!("{date}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_24_uppercase_alphanumerics() {
        for (li, n) in [(0, 1), (2, 999_999)] {
            let t = tag(li, n);
            assert_eq!(t.len(), 24, "{t}");
            assert!(t.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()), "{t}");
        }
    }

    #[test]
    fn dates_are_iso() {
        assert_eq!(date(1), "2026-01-01");
        assert_eq!(date(999), "2026-12-31");
    }
}

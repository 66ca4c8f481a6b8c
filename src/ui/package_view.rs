//! What the Packages table shows of a cached list: the search (tag, item name
//! or category, case-insensitive), the sort (any column, either direction),
//! and the window of rows a scroll position needs. Pure, tested natively;
//! the page derives all three with memos over the cached list, so a live
//! patch of the list flows through them without a refetch.

use std::{borrow::Borrow, cmp::Ordering, fmt, str::FromStr};

use budtags_wire::Package;

/// A sortable column, named as in the URL (`?sort=quantity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Tag,
    Item,
    Category,
    Quantity,
    Location,
    Lab,
    Packaged,
    Modified,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Tag,
        Column::Item,
        Column::Category,
        Column::Quantity,
        Column::Location,
        Column::Lab,
        Column::Packaged,
        Column::Modified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Column::Tag => "tag",
            Column::Item => "item",
            Column::Category => "category",
            Column::Quantity => "quantity",
            Column::Location => "location",
            Column::Lab => "lab",
            Column::Packaged => "packaged",
            Column::Modified => "modified",
        }
    }

    /// The column header people read.
    pub fn title(self) -> &'static str {
        match self {
            Column::Tag => "Tag",
            Column::Item => "Item",
            Column::Category => "Category",
            Column::Quantity => "Quantity",
            Column::Location => "Location",
            Column::Lab => "Lab",
            Column::Packaged => "Packaged",
            Column::Modified => "Last modified",
        }
    }

    fn compare(self, a: &Package, b: &Package) -> Ordering {
        match self {
            Column::Tag => a.label.cmp(&b.label),
            Column::Item => cmp_text(&a.item.name, &b.item.name),
            Column::Category => cmp_text(&a.item.product_category_name, &b.item.product_category_name),
            Column::Quantity => a.quantity.total_cmp(&b.quantity),
            Column::Location => cmp_text(&a.location_name, &b.location_name),
            Column::Lab => a.lab_testing_state.cmp(&b.lab_testing_state),
            Column::Packaged => a.packaged_date.cmp(&b.packaged_date),
            Column::Modified => a.last_modified.cmp(&b.last_modified),
        }
    }
}

/// Case-insensitive, without allocating for the common ASCII case.
fn cmp_text(a: &str, b: &str) -> Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Column {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Column::ALL.into_iter().find(|c| c.as_str() == s).ok_or(())
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }

    /// `aria-sort` for a sorted column header.
    pub fn aria(self) -> &'static str {
        match self {
            Direction::Asc => "ascending",
            Direction::Desc => "descending",
        }
    }
}

/// The table's order: `None` keeps the server's (last change first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sort {
    pub column: Option<Column>,
    pub direction: Direction,
}

impl Sort {
    /// From the URL's `sort` and `dir`; unknown values mean the server's order.
    pub fn from_query(sort: Option<&str>, dir: Option<&str>) -> Sort {
        let column = sort.and_then(|s| s.parse().ok());
        let direction = if dir == Some("desc") { Direction::Desc } else { Direction::Asc };
        Sort { column, direction }
    }

    /// Clicking `column`'s header: sort by it ascending, or flip it if it is
    /// already the sort.
    pub fn toggled(self, column: Column) -> Sort {
        match self.column {
            Some(c) if c == column => Sort {
                column: Some(c),
                direction: match self.direction {
                    Direction::Asc => Direction::Desc,
                    Direction::Desc => Direction::Asc,
                },
            },
            _ => Sort { column: Some(column), direction: Direction::Asc },
        }
    }
}

/// Whether `package` matches the search `needle` (already lower-cased and
/// trimmed; empty matches everything): its tag, item name or category.
pub fn matches(package: &Package, needle: &str) -> bool {
    needle.is_empty()
        || contains_ci(&package.label, needle)
        || contains_ci(&package.item.name, needle)
        || contains_ci(&package.item.product_category_name, needle)
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

/// The search text as [`matches`] wants it.
pub fn needle(search: &str) -> String {
    search.trim().to_lowercase()
}

/// Positions in `rows` of the packages to show, in display order. Equal
/// keys keep the server's order (a stable sort), so rows do not jump.
pub fn arrange<P: Borrow<Package>>(rows: &[P], search: &str, sort: Sort) -> Vec<usize> {
    let needle = needle(search);
    let mut shown: Vec<usize> = (0..rows.len()).filter(|&i| matches(rows[i].borrow(), &needle)).collect();
    if let Some(column) = sort.column {
        shown.sort_by(|&a, &b| {
            let order = column.compare(rows[a].borrow(), rows[b].borrow());
            if sort.direction == Direction::Desc { order.reverse() } else { order }
        });
    }
    shown
}

/// The rows to render for a scroll position: `first..end` of `count` rows of
/// `row_height` px in a viewport `viewport` px tall, plus `overscan` rows
/// either side so fast scrolling does not show gaps.
pub fn window(
    count: usize,
    row_height: f64,
    scroll_top: f64,
    viewport: f64,
    overscan: usize,
) -> (usize, usize) {
    if count == 0 || row_height <= 0.0 {
        return (0, 0);
    }
    let top = (scroll_top.max(0.0) / row_height).floor() as usize;
    let visible = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let first = top.saturating_sub(overscan).min(count);
    let end = (top + visible + overscan).min(count);
    (first, end)
}

/// The Packages page's query string for a filter, search and sort
/// (`?filter=inactive&q=kush&sort=quantity&dir=desc`; defaults left out).
pub fn page_query(inactive: bool, search: &str, sort: Sort) -> String {
    let mut parts = Vec::new();
    if inactive {
        parts.push("filter=inactive".to_owned());
    }
    if !search.trim().is_empty() {
        parts.push(format!("q={}", encode(search.trim())));
    }
    if let Some(column) = sort.column {
        parts.push(format!("sort={column}&dir={}", sort.direction.as_str()));
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// Percent-encodes a query value (everything but unreserved ASCII).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::patch::tests::package;

    fn named(id: i64, item: &str, category: &str, quantity: f64) -> Package {
        let mut p = package(id, 1, quantity, false);
        p.item.name = item.into();
        p.item.product_category_name = category.into();
        p
    }

    fn rows() -> Vec<Package> {
        vec![
            named(1, "Blue Dream 3.5g", "Flower", 12.0),
            named(2, "OG Kush Cart", "Vape Cartridge", 3.0),
            named(3, "blue raz gummies", "Edible", 40.0),
            named(4, "Sour Diesel", "Flower", 3.0),
        ]
    }

    #[test]
    fn search_finds_item_names_and_categories_in_any_case() {
        let rows = rows();
        assert_eq!(arrange(&rows, "BLUE", Sort::default()), vec![0, 2]);
        assert_eq!(arrange(&rows, "  flower ", Sort::default()), vec![0, 3]);
        assert_eq!(arrange(&rows, "", Sort::default()), vec![0, 1, 2, 3]);
        assert!(arrange(&rows, "nothing like this", Sort::default()).is_empty());
    }

    #[test]
    fn search_finds_a_tag_by_any_part() {
        let rows = rows();
        // Tags are 1A40F0100000000000{id:06}.
        assert_eq!(arrange(&rows, "000003", Sort::default()), vec![2]);
        assert_eq!(arrange(&rows, "1a40f01", Sort::default()).len(), 4);
    }

    #[test]
    fn sorting_by_quantity_either_way_keeps_ties_in_server_order() {
        let rows = rows();
        let by_quantity = Sort::default().toggled(Column::Quantity);
        assert_eq!(arrange(&rows, "", by_quantity), vec![1, 3, 0, 2]);
        assert_eq!(arrange(&rows, "", by_quantity.toggled(Column::Quantity)), vec![2, 0, 1, 3]);
    }

    #[test]
    fn text_columns_sort_without_regard_to_case() {
        let rows = rows();
        let by_item = Sort { column: Some(Column::Item), direction: Direction::Asc };
        assert_eq!(arrange(&rows, "", by_item), vec![0, 2, 1, 3]);
    }

    #[test]
    fn the_url_names_the_sort_and_nonsense_means_the_servers_order() {
        let sort = Sort::from_query(Some("quantity"), Some("desc"));
        assert_eq!(sort, Sort { column: Some(Column::Quantity), direction: Direction::Desc });
        assert_eq!(Sort::from_query(Some("price"), Some("desc")).column, None);
        for column in Column::ALL {
            assert_eq!(column.as_str().parse::<Column>(), Ok(column));
        }
    }

    #[test]
    fn the_page_address_keeps_search_and_sort_and_leaves_out_defaults() {
        assert_eq!(page_query(false, "", Sort::default()), "");
        let sort = Sort { column: Some(Column::Quantity), direction: Direction::Desc };
        assert_eq!(
            page_query(true, " og kush&co ", sort),
            "?filter=inactive&q=og%20kush%26co&sort=quantity&dir=desc"
        );
    }

    #[test]
    fn a_new_column_starts_ascending() {
        let sort = Sort { column: Some(Column::Tag), direction: Direction::Desc }.toggled(Column::Item);
        assert_eq!(sort, Sort { column: Some(Column::Item), direction: Direction::Asc });
    }

    #[test]
    fn the_window_covers_the_viewport_and_the_overscan() {
        // 10,000 rows of 40 px, 800 px tall viewport, scrolled to row 5,000.
        assert_eq!(window(10_000, 40.0, 200_000.0, 800.0, 10), (4_990, 5_031));
        assert_eq!(window(10_000, 40.0, 0.0, 800.0, 10), (0, 31));
        assert_eq!(window(10_000, 40.0, 10_000.0 * 40.0, 800.0, 10), (9_990, 10_000));
        assert_eq!(window(5, 40.0, 0.0, 800.0, 10), (0, 5));
        assert_eq!(window(0, 40.0, 0.0, 800.0, 10), (0, 0));
    }
}

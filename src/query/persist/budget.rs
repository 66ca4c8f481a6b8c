//! How much query data this browser keeps, pure: records over the budget go,
//! the least recently saved first.

/// All kept query data, in bytes of JSON: room for a 10,000-row list and the
/// workspaces beside it.
pub const BUDGET: usize = 12 * 1024 * 1024;

/// One kept record, as the budget sees it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kept {
    pub key: String,
    pub bytes: usize,
    /// When it was saved (ms since the epoch).
    pub saved_at: f64,
}

/// The keys to drop so the rest fit in `budget`, oldest first. A record
/// larger than the whole budget is never kept.
pub fn over_budget(kept: &[Kept], budget: usize) -> Vec<String> {
    let mut by_age: Vec<&Kept> = kept.iter().collect();
    by_age.sort_by(|a, b| b.saved_at.total_cmp(&a.saved_at));
    let mut total = 0usize;
    let mut drop = Vec::new();
    for k in by_age {
        if total.saturating_add(k.bytes) <= budget {
            total += k.bytes;
        } else {
            drop.push(k.key.clone());
        }
    }
    drop.reverse();
    drop
}

/// Adds or replaces `record` in `kept`.
pub fn record(kept: &mut Vec<Kept>, record: Kept) {
    kept.retain(|k| k.key != record.key);
    kept.push(record);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(key: &str, bytes: usize, saved_at: f64) -> Kept {
        Kept { key: key.into(), bytes, saved_at }
    }

    #[test]
    fn the_oldest_records_go_first_until_the_rest_fit() {
        let all = [kept("a", 40, 1.0), kept("b", 40, 2.0), kept("c", 40, 3.0)];
        assert_eq!(over_budget(&all, 100), ["a"]);
        assert_eq!(over_budget(&all, 120), Vec::<String>::new());
        assert_eq!(over_budget(&all, 50), ["a", "b"]);
    }

    #[test]
    fn a_record_larger_than_the_budget_is_never_kept() {
        assert_eq!(over_budget(&[kept("huge", 200, 9.0), kept("small", 10, 1.0)], 100), ["huge"]);
    }

    #[test]
    fn saving_again_replaces_the_record() {
        let mut all = vec![kept("a", 40, 1.0)];
        record(&mut all, kept("a", 60, 2.0));
        assert_eq!(all, [kept("a", 60, 2.0)]);
    }
}

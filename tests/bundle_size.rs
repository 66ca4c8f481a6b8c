//! A cheap guard on what the browser downloads, gzip-compressed: the cold
//! packages page (the page, its styles and start-up JS, the main module and
//! the packages chunks) and the whole app (every file a person can ever
//! load). It fails when a change makes them noticeably heavier; the browser
//! bench (`docs/performance.md`) tells the whole story, page by page.

mod support;

use support::bundle::{all_files, entry_files, sized};

/// Before issue 13 the whole module loaded with every page: 456 KB gzip
/// before the four workspaces, 780 KB with them, 583 KB once the release
/// profile stripped the wasm name section, 650 KB with issue 12's resilience.
/// 2026-12-02, issue 13, split by workspace (`src/chunks.rs`): the cold
/// packages page is 496 KB and the whole app 767 KB (the split costs ~115 KB
/// in all: code that was shared and optimized together is now in separate
/// modules). Lower the guards as the pages shrink.
const MAX_PACKAGES_PAGE_GZIP: u64 = 520_000;
const MAX_WHOLE_APP_GZIP: u64 = 800_000;

#[test]
fn the_cold_packages_page_and_the_whole_app_stay_small() {
    let dist = support::dist();
    let page: Vec<_> = entry_files(&dist, "packages").iter().map(|f| sized(&dist, f)).collect();
    assert!(page.iter().any(|f| f.name.ends_with("_bg.wasm")), "no main module in the packages page's files");
    assert!(page.iter().any(|f| f.name.contains("split_packages")), "no packages chunk in its files");
    let page_gzip: u64 = page.iter().map(|f| f.gzip).sum();
    let all: Vec<_> = all_files(&dist).iter().map(|f| sized(&dist, f)).collect();
    let all_gzip: u64 = all.iter().map(|f| f.gzip).sum();
    println!(
        "cold packages page: {page_gzip} bytes gzip in {} files; whole app: {all_gzip} in {}",
        page.len(),
        all.len()
    );
    assert!(
        page_gzip <= MAX_PACKAGES_PAGE_GZIP,
        "the cold packages page grew to {page_gzip} bytes gzip (guard {MAX_PACKAGES_PAGE_GZIP})"
    );
    assert!(
        all_gzip <= MAX_WHOLE_APP_GZIP,
        "the whole app grew to {all_gzip} bytes gzip (guard {MAX_WHOLE_APP_GZIP})"
    );
    assert!(page_gzip < all_gzip, "the packages page loads only part of the app");
}

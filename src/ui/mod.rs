//! Shared components. They only wire signals to the view.

pub mod format;
pub mod license_switcher;
pub mod notice;
pub mod package_table;
pub mod package_view;
pub mod progress;
pub mod shell;
pub mod status;

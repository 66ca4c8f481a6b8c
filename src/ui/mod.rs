//! Shared components. They only wire signals to the view.

pub mod format;
pub mod license_switcher;
pub mod package_table;
pub mod shell;
pub mod status;

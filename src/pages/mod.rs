//! One file per page.

pub mod home;
pub mod job_detail;
pub mod jobs;
pub mod labels;
pub mod login;
pub mod not_found;
pub mod package_detail;
pub mod packages;
pub mod transfer_detail;
pub mod transfers;

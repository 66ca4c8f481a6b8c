//! Label-generation jobs.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Completed,
    Failed,
}

impl JobStatus {
    /// Completed or failed: nothing more will happen without a retry.
    pub fn is_done(self) -> bool {
        matches!(self, JobStatus::Completed | JobStatus::Failed)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub status: JobStatus,
    /// 0–100.
    pub progress: u8,
    pub error: Option<String>,
    /// Where the printable label sheet is, once completed.
    pub result_url: Option<String>,
    /// The labels on the sheet.
    pub label_ids: Vec<i64>,
    pub created_by: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `POST /api/jobs` body: approved labels of the signed-in organization, 1–500 of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewJob {
    pub label_ids: Vec<i64>,
}

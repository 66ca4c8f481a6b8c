//! Label-generation jobs: rows, their labels and their sheets.

use budtags_wire::{Job, JobStatus};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, types::Type};

/// Jobs listed at most.
pub const LIST_LIMIT: usize = 50;

/// What a job left running by a stopped server says.
pub const INTERRUPTED: &str = "The server restarted while this job ran; retry it.";

const SELECT: &str = "SELECT id, status, progress, error, result_url, created_by, created_at, organization_id
    FROM jobs";

pub fn status_name(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued => "queued",
        JobStatus::Running => "running",
        JobStatus::Completed => "completed",
        JobStatus::Failed => "failed",
    }
}

fn parse_status(text: &str) -> Option<JobStatus> {
    use JobStatus::*;
    [Queued, Running, Completed, Failed].into_iter().find(|s| status_name(*s) == text)
}

/// A job and the organization that owns it.
#[derive(Clone, Debug)]
pub struct OwnedJob {
    pub organization_id: i64,
    pub job: Job,
}

fn from_row(row: &Row) -> rusqlite::Result<OwnedJob> {
    let status: String = row.get(1)?;
    let status = parse_status(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(1, Type::Text, format!("unknown status {status:?}").into())
    })?;
    Ok(OwnedJob {
        organization_id: row.get(7)?,
        job: Job {
            id: row.get(0)?,
            status,
            progress: row.get(2)?,
            error: row.get(3)?,
            result_url: row.get(4)?,
            label_ids: Vec::new(),
            created_by: row.get(5)?,
            created_at: row.get(6)?,
        },
    })
}

fn with_labels(conn: &Connection, mut owned: OwnedJob) -> rusqlite::Result<OwnedJob> {
    owned.job.label_ids = label_ids(conn, &owned.job.id)?;
    Ok(owned)
}

/// The labels of a job, in sheet order.
pub fn label_ids(conn: &Connection, job_id: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT label_id FROM job_labels WHERE job_id = ?1 ORDER BY position")?;
    stmt.query_map([job_id], |r| r.get(0))?.collect()
}

/// An organization's jobs, newest first, at most [`LIST_LIMIT`].
pub fn list(conn: &Connection, organization_id: i64) -> rusqlite::Result<Vec<Job>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE organization_id = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2"
    ))?;
    let rows: Vec<OwnedJob> =
        stmt.query_map(params![organization_id, LIST_LIMIT as i64], from_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|row| with_labels(conn, row).map(|o| o.job)).collect()
}

pub fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<OwnedJob>> {
    let row = conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], from_row).optional()?;
    row.map(|row| with_labels(conn, row)).transpose()
}

/// A new queued job of these labels.
pub fn create(
    tx: &Transaction,
    id: &str,
    organization_id: i64,
    label_ids: &[i64],
    by: &str,
    now: &str,
) -> rusqlite::Result<Job> {
    tx.execute(
        "INSERT INTO jobs (id, organization_id, status, progress, created_by, created_at)
         VALUES (?1, ?2, 'queued', 0, ?3, ?4)",
        params![id, organization_id, by, now],
    )?;
    let mut insert =
        tx.prepare_cached("INSERT INTO job_labels (job_id, label_id, position) VALUES (?1, ?2, ?3)")?;
    for (position, label) in label_ids.iter().enumerate() {
        insert.execute(params![id, label, position as i64])?;
    }
    Ok(find(tx, id)?.expect("job inserted in this transaction").job)
}

/// Moves a job on: status, progress, error, result. Returns the job afterwards.
pub fn update(
    tx: &Transaction,
    id: &str,
    status: JobStatus,
    progress: u8,
    error: Option<&str>,
    result_url: Option<&str>,
) -> rusqlite::Result<Option<Job>> {
    tx.execute(
        "UPDATE jobs SET status = ?2, progress = ?3, error = ?4, result_url = ?5 WHERE id = ?1",
        params![id, status_name(status), progress, error, result_url],
    )?;
    Ok(find(tx, id)?.map(|o| o.job))
}

/// Stores a completed job's printable sheet.
pub fn store_sheet(tx: &Transaction, id: &str, sheet: &str) -> rusqlite::Result<()> {
    tx.execute("UPDATE jobs SET sheet = ?2 WHERE id = ?1", params![id, sheet])?;
    Ok(())
}

pub fn sheet(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT sheet FROM jobs WHERE id = ?1", [id], |r| r.get(0)).optional().map(Option::flatten)
}

/// Marks jobs a stopped server left queued or running as failed; how many.
pub fn fail_interrupted(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE jobs SET status = 'failed', error = ?1 WHERE status IN ('queued', 'running')",
        [INTERRUPTED],
    )
}

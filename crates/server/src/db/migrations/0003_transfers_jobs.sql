-- Incoming transfers (Metrc deliveries): owned by the recipient license's organization.
CREATE TABLE transfers (
    id                                INTEGER PRIMARY KEY,
    manifest_number                   TEXT NOT NULL UNIQUE,
    shipper_facility_license_number   TEXT NOT NULL,
    shipper_facility_name             TEXT NOT NULL,
    recipient_facility_license_number TEXT NOT NULL REFERENCES licenses(license_number),
    package_count                     INTEGER NOT NULL CHECK (package_count >= 0),
    received_package_count            INTEGER NOT NULL DEFAULT 0 CHECK (received_package_count >= 0),
    created_date_time                 TEXT NOT NULL,
    estimated_arrival_date_time       TEXT,
    received_date_time                TEXT,
    last_modified                     TEXT NOT NULL
);
CREATE INDEX transfers_by_recipient ON transfers(recipient_facility_license_number);

-- Label-generation jobs, owned by an organization.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    progress        INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error           TEXT,
    result_url      TEXT,
    created_at      TEXT NOT NULL
);

-- The event log is keyed by Echo channel (`license.X`, `org.1`, …), which is
-- what the column always held; name it so, and index it for per-channel replay.
ALTER TABLE events RENAME COLUMN license_number TO channel;
CREATE INDEX events_by_channel ON events(channel, id);

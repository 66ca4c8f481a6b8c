CREATE TABLE organizations (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE licenses (
    license_number  TEXT PRIMARY KEY,
    facility_name   TEXT NOT NULL,
    organization_id INTEGER NOT NULL REFERENCES organizations(id)
);

CREATE TABLE items (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    category  TEXT NOT NULL,
    strain    TEXT,
    unit_name TEXT NOT NULL,
    unit_abbr TEXT NOT NULL
);

CREATE TABLE packages (
    id                INTEGER PRIMARY KEY,
    license_number    TEXT NOT NULL REFERENCES licenses(license_number),
    label             TEXT NOT NULL UNIQUE CHECK (length(label) = 24),
    package_type      TEXT NOT NULL,
    item_id           INTEGER NOT NULL REFERENCES items(id),
    location_name     TEXT NOT NULL,
    quantity          REAL NOT NULL CHECK (quantity >= 0),
    original_quantity REAL NOT NULL,
    packaged_date     TEXT NOT NULL,
    last_modified     TEXT NOT NULL,
    finished_date     TEXT,
    lab_testing_state TEXT NOT NULL,
    is_on_hold        INTEGER NOT NULL DEFAULT 0,
    revision          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX packages_by_license ON packages(license_number, finished_date);

-- One server-wide revision counter: every change takes the next value.
CREATE TABLE revision (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

-- The bounded event log that SSE replays from (`Last-Event-ID`).
CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    license_number TEXT,
    payload        TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

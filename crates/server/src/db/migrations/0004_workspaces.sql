-- The four workspaces: packages on incoming transfers, labels awaiting
-- approval, the labels of each label job, and each package's history.

-- The organization an event belongs to, computed when it is logged, so SSE
-- and `/ws` replay only the signed-in organization's events.
ALTER TABLE events ADD COLUMN organization_id INTEGER;
CREATE INDEX events_by_organization ON events(organization_id, id);

-- Packages on an incoming transfer. `idempotency_key` is the scan that
-- checked it in: the same key again is the same check-in.
CREATE TABLE transfer_packages (
    id                INTEGER PRIMARY KEY,
    transfer_id       INTEGER NOT NULL REFERENCES transfers(id),
    label             TEXT NOT NULL UNIQUE CHECK (length(label) = 24),
    item_id           INTEGER NOT NULL REFERENCES items(id),
    shipped_quantity  REAL NOT NULL CHECK (shipped_quantity >= 0),
    state             TEXT NOT NULL DEFAULT 'Shipped'
                      CHECK (state IN ('Shipped', 'Rejected', 'Accepted', 'Returned')),
    received_quantity REAL CHECK (received_quantity >= 0),
    checked_in_by     TEXT,
    checked_in_at     TEXT,
    idempotency_key   TEXT UNIQUE
);
CREATE INDEX transfer_packages_by_transfer ON transfer_packages(transfer_id, id);

-- Labels someone asked to print for a package, and the decision on them.
CREATE TABLE labels (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    package_id      INTEGER NOT NULL REFERENCES packages(id),
    quantity        REAL NOT NULL CHECK (quantity >= 0),
    copies          INTEGER NOT NULL CHECK (copies BETWEEN 1 AND 100),
    requested_by    TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by      TEXT,
    decided_at      TEXT,
    reason          TEXT,
    revision        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX labels_by_organization ON labels(organization_id, status, requested_at);

-- Who started a job, its labels in sheet order, and the sheet once generated.
ALTER TABLE jobs ADD COLUMN created_by TEXT NOT NULL DEFAULT 'BudTags';
ALTER TABLE jobs ADD COLUMN sheet TEXT;
CREATE TABLE job_labels (
    job_id   TEXT NOT NULL REFERENCES jobs(id),
    label_id INTEGER NOT NULL REFERENCES labels(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (job_id, label_id)
);

-- One row per change of a package, newest last.
CREATE TABLE package_history (
    id         INTEGER PRIMARY KEY,
    package_id INTEGER NOT NULL REFERENCES packages(id),
    revision   INTEGER NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    quantity   REAL NOT NULL,
    change     REAL NOT NULL,
    by         TEXT NOT NULL
);
CREATE INDEX package_history_by_package ON package_history(package_id, id);

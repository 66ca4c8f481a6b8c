-- Idempotency keys belong to one transfer (so to one organization), not to
-- everyone: with one key space, another organization could learn whether a
-- scan had happened (409 against 404) and take the key the app would use
-- next, so that the real scan failed. SQLite cannot drop a column's UNIQUE,
-- so the table is rebuilt with the same columns in the same order.
CREATE TABLE transfer_packages_scoped (
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
    idempotency_key   TEXT,
    UNIQUE (transfer_id, idempotency_key)
);
INSERT INTO transfer_packages_scoped SELECT * FROM transfer_packages;
DROP TABLE transfer_packages;
ALTER TABLE transfer_packages_scoped RENAME TO transfer_packages;
CREATE INDEX transfer_packages_by_transfer ON transfer_packages(transfer_id, id);

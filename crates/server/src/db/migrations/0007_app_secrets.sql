-- Secrets this server makes for itself on first start (the Pusher app key
-- and secret), kept with the data they protect: a published default let
-- anyone sign private channels and trigger events.
CREATE TABLE app_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

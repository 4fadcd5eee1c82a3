-- Outbound events for the owner's own tools: endpoints, and one delivery row per event and
-- endpoint, written in the transaction of the change (an outbox), sent by the worker.

CREATE TABLE webhook_endpoints (
    id             UUID PRIMARY KEY,
    url            TEXT NOT NULL,
    -- The signing secret is derived from the server's key, the id and this version; it is
    -- never stored. Rolling the secret bumps the version.
    secret_version INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              UUID PRIMARY KEY,
    endpoint_id     UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    -- The same event goes to every endpoint under one id, which receivers deduplicate on.
    event_id        UUID NOT NULL,
    event_type      TEXT NOT NULL CHECK (event_type IN
                        ('sale', 'refund', 'dispute', 'access_granted', 'access_revoked')),
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (created_at DESC);

-- The security log: failed logins, refused requests and every owner action, with who did
-- it and from where. Never holds a password, token or form body beyond named ids.
CREATE TABLE security_events (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    kind        TEXT NOT NULL CHECK (kind IN ('login_failed', 'access_refused', 'owner_action')),
    actor_id    UUID REFERENCES users(id) ON DELETE SET NULL,
    ip          TEXT NOT NULL,
    action      TEXT NOT NULL,
    status      INTEGER NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_events_at ON security_events (at DESC);

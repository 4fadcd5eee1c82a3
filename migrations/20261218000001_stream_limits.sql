-- Streams at once: the owner's limit per account (NULL: no limit), a tier's own limit for
-- its members, and a lease per open player, renewed with its playback token.

ALTER TABLE site_settings
    ADD COLUMN max_streams SMALLINT CHECK (max_streams BETWEEN 1 AND 20);
ALTER TABLE membership_tiers
    ADD COLUMN max_streams SMALLINT CHECK (max_streams BETWEEN 1 AND 20);

-- One row per player opened by a customer. A lease is live while `ended_at` is NULL and
-- `expires_at` (two token lifetimes after its last renewal) is ahead. `device_key` is a
-- SHA-256 of the session id, so a reload on the same device replaces its own lease; the
-- session id itself is never stored. `network` is the address's /24 (IPv4) or /48 (IPv6),
-- never the address.
CREATE TABLE stream_leases (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id  UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    device_key  BYTEA NOT NULL CHECK (octet_length(device_key) = 32),
    device      TEXT NOT NULL CHECK (char_length(device) <= 80),
    network     TEXT NOT NULL CHECK (char_length(network) <= 64),
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    renewed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    ended_at    TIMESTAMPTZ,
    -- 'stopped' (from another device), 'replaced' (the same device opened it again).
    end_reason  TEXT CHECK (end_reason IN ('stopped', 'replaced')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX stream_leases_open ON stream_leases (user_id, expires_at) WHERE ended_at IS NULL;
CREATE INDEX stream_leases_done ON stream_leases ((COALESCE(ended_at, expires_at)));

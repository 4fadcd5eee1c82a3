-- Signed-in devices: one row per sign-in, named by the session that holds its id. `/account`
-- lists a customer's live ones and signs any out (`ended_at`); a session whose sign-in has
-- ended is signed out on its next request. `epoch` is the user's session epoch when it
-- signed in (a password change moves the epoch and so ends every other sign-in). `network`
-- is the /24 or /48 of the address, never the address.
CREATE TABLE sign_ins (
    id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device       TEXT NOT NULL CHECK (char_length(device) <= 80),
    network      TEXT NOT NULL CHECK (char_length(network) <= 64),
    epoch        INTEGER NOT NULL,
    signed_in_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    ended_at     TIMESTAMPTZ
);
CREATE INDEX sign_ins_user ON sign_ins (user_id) WHERE ended_at IS NULL;
CREATE INDEX sign_ins_expires ON sign_ins (expires_at);

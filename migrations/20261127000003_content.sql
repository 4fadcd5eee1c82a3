-- What the owner sells, who may play it, and where each viewer stopped.

CREATE TABLE content (
    id            UUID PRIMARY KEY,
    owner_id      UUID NOT NULL REFERENCES users (id),
    slug          TEXT NOT NULL,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    -- US cents: free, or $1.00 to $999.99.
    price_cents   INTEGER NOT NULL CHECK (price_cents = 0 OR price_cents BETWEEN 100 AND 99999),
    category      TEXT,
    tags          TEXT[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
    media_id      UUID REFERENCES media (id),
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    is_sample     BOOLEAN NOT NULL DEFAULT false,
    published_at  TIMESTAMPTZ,
    -- Soft delete: the item leaves the catalog, buyers keep their access.
    deleted_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX content_slug_key ON content (slug);
CREATE INDEX content_published ON content (published_at DESC) WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX content_tags ON content USING gin (tags);

-- The one source of who may play what.
CREATE TABLE access (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id UUID NOT NULL REFERENCES content (id),
    reason     TEXT NOT NULL CHECK (reason IN ('purchased', 'free', 'granted')),
    granted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, content_id)
);
CREATE INDEX access_content ON access (content_id) WHERE revoked_at IS NULL;

CREATE TABLE playback_progress (
    user_id          UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id       UUID NOT NULL REFERENCES content (id),
    position_seconds DOUBLE PRECISION NOT NULL CHECK (position_seconds >= 0),
    completed        BOOLEAN NOT NULL DEFAULT false,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, content_id)
);

-- Uploaded media and the jobs that process them.

CREATE TABLE media (
    id                UUID PRIMARY KEY,
    owner_id          UUID NOT NULL REFERENCES users (id),
    kind              TEXT NOT NULL CHECK (kind IN ('video', 'audio')),
    original_filename TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size_bytes        BIGINT NOT NULL CHECK (size_bytes > 0),
    status            TEXT NOT NULL DEFAULT 'uploading'
                      CHECK (status IN ('uploading', 'uploaded', 'processing', 'ready', 'failed')),
    error             TEXT,
    duration_seconds  DOUBLE PRECISION,
    width             INTEGER,
    height            INTEGER,
    -- The HLS rungs produced: [{"name": "720p", "height": 720, "bandwidth": 2800000}, ...].
    renditions        JSONB NOT NULL DEFAULT '[]',
    has_thumbnail     BOOLEAN NOT NULL DEFAULT false,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX media_recent ON media (created_at DESC);

CREATE TABLE media_jobs (
    id           UUID PRIMARY KEY,
    media_id     UUID NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 2,
    run_after    TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A running job whose lease ran out belongs to a worker that died: it is claimed again.
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX media_jobs_one_active ON media_jobs (media_id) WHERE status IN ('queued', 'running');
CREATE INDEX media_jobs_due ON media_jobs (run_after) WHERE status IN ('queued', 'running');

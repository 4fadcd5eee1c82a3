-- Files an item's buyers may download (PDF or ZIP), stored at content/{content}/downloads/{id}.
CREATE TABLE downloads (
    id           UUID PRIMARY KEY,
    content_id   UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    filename     TEXT NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 200),
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL CHECK (size_bytes BETWEEN 1 AND 104857600),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX downloads_content_id ON downloads (content_id, created_at);

-- Chapters of an item: where each starts and its title, in order of time.
CREATE TABLE chapters (
    content_id    UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    start_seconds INTEGER NOT NULL CHECK (start_seconds >= 0),
    title         TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 100),
    PRIMARY KEY (content_id, start_seconds)
);

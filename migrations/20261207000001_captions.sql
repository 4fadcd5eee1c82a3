-- Captions of an item, one WebVTT text per language (SRT is converted on upload).
CREATE TABLE captions (
    content_id UUID NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    language   TEXT NOT NULL CHECK (language ~ '^[a-z]{2,3}(-([A-Z]{2}|[0-9]{3}))?$'),
    label      TEXT NOT NULL CHECK (char_length(label) BETWEEN 1 AND 50),
    vtt        TEXT NOT NULL CHECK (octet_length(vtt) <= 1048576),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (content_id, language)
);

-- What a media item keeps in storage (its uploaded parts, HLS and thumbnail), measured when
-- processing ends; unknown (NULL) before that.
ALTER TABLE media ADD COLUMN stored_bytes BIGINT CHECK (stored_bytes >= 0);

-- Resumable uploads: when an upload last received a part, so an upload abandoned for 24 hours
-- can be removed with its parts while one still being sent (however slowly) is kept.
ALTER TABLE media ADD COLUMN upload_activity_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX media_abandoned_uploads ON media (upload_activity_at) WHERE status = 'uploading';

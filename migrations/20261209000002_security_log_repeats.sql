-- The same entry again within ten minutes (the same who, where, what and answer) is counted
-- on the first one instead of written anew, so a burst of refusals is one line.
ALTER TABLE security_events ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
ALTER TABLE security_events ADD COLUMN last_at TIMESTAMPTZ;

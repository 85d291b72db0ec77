-- How many times retry-failed has put an item back; attempts count within the current round.
ALTER TABLE items ADD COLUMN round integer NOT NULL DEFAULT 0;

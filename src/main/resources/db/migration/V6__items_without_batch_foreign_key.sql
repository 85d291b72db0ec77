-- Items no longer reference batches by a foreign key (docs/decisions.md, "A million items in one
-- create"): the per-row check it runs on every insert was a third of the time of a
-- million-item create. Items are only ever inserted together with their batch, in its own
-- transaction, and batches are never deleted, so the key guarded nothing the code does not.
ALTER TABLE items DROP CONSTRAINT IF EXISTS items_batch_id_fkey;

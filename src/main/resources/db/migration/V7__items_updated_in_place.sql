-- Items keep only their primary key. Every change of an item's status (marked in progress, given
-- its result, put back to pending) used to insert a new entry into all three of the table's
-- indexes, because items_by_status and items_pending cover the status; that was half of
-- PostgreSQL's work while a batch ran (docs/decisions.md, "Items keep only their primary key").
-- With no index over the status, an update whose new version fits on the row's page is heap-only
-- (HOT) and touches no index at all, and any other touches the primary key alone; the free space
-- left on each page at insert is what lets new versions stay there.
DROP INDEX items_by_status;
DROP INDEX items_pending;
ALTER TABLE items SET (fillfactor = 60);

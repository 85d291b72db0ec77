-- An item's token usage in three plain columns instead of a jsonb object. The object's keys took
-- most of its 90 bytes, in every result's row version and its WAL record, and PostgreSQL parsed
-- one per result (docs/decisions.md, "Token usage in plain columns"). Results stored before this
-- migration keep their object in usage, and reads fall back to it; new results leave it NULL.
ALTER TABLE items
    ADD COLUMN prompt_tokens integer,
    ADD COLUMN completion_tokens integer,
    ADD COLUMN finish_reason text;

-- Tokens a batch has used, summed from its items' reported usage in each group commit.
ALTER TABLE batches ADD COLUMN prompt_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN completion_tokens bigint NOT NULL DEFAULT 0;

-- A batch whose deadline passed ends 'expired' (docs/architecture.md §2); uploaded OpenAI batch
-- input files are kept as one row per line, owned like batches (docs/decisions.md).
ALTER TABLE batches DROP CONSTRAINT batches_status_check;
ALTER TABLE batches ADD CONSTRAINT batches_status_check
    CHECK (status IN ('running', 'paused', 'completed', 'cancelled', 'failed', 'expired'));

CREATE TABLE files (
    id          uuid        PRIMARY KEY,
    owner       text        NOT NULL,
    filename    text        NOT NULL,
    purpose     text        NOT NULL,
    bytes       bigint      NOT NULL CHECK (bytes >= 0),
    lines       integer     NOT NULL CHECK (lines >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX files_owner_created ON files (owner, created_at DESC, id DESC);

CREATE TABLE file_lines (
    file_id  uuid    NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    n        integer NOT NULL,
    line     text    NOT NULL,
    PRIMARY KEY (file_id, n)
);

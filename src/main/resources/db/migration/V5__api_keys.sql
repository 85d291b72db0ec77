-- API keys (docs/architecture.md, "Identity"): only an HMAC of each key is stored; a revoked key
-- keeps its row so the list shows when it was revoked.

CREATE TABLE api_keys (
    id          text        PRIMARY KEY,
    key_hash    bytea       NOT NULL UNIQUE,
    owner       text        NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    role        text        NOT NULL CHECK (role IN ('faculty', 'admin')),
    name        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Lists of one owner's live batches, for the per-owner limit.
CREATE INDEX batches_owner_live ON batches (owner) WHERE status IN ('running', 'paused');

-- Batches, their items and their transition history (docs/architecture.md §3, §5).

CREATE TABLE batches (
    id               uuid        PRIMARY KEY,
    owner            text        NOT NULL,
    name             text        NOT NULL,
    status           text        NOT NULL
        CHECK (status IN ('running', 'paused', 'completed', 'cancelled', 'failed')),
    status_reason    text,
    config           jsonb       NOT NULL,
    total            integer     NOT NULL CHECK (total >= 0),
    pending          integer     NOT NULL CHECK (pending >= 0),
    in_progress      integer     NOT NULL CHECK (in_progress >= 0),
    succeeded        integer     NOT NULL CHECK (succeeded >= 0),
    failed           integer     NOT NULL CHECK (failed >= 0),
    cancelled        integer     NOT NULL CHECK (cancelled >= 0),
    version          bigint      NOT NULL,
    owner_node       text,
    lease_until      timestamptz,
    epoch            bigint      NOT NULL DEFAULT 0,
    idempotency_key  text,
    request_hash     text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CHECK (pending + in_progress + succeeded + failed + cancelled = total)
);

CREATE INDEX batches_owner_created ON batches (owner, created_at DESC, id DESC);
CREATE INDEX batches_live ON batches (status) WHERE status IN ('running', 'paused');
CREATE UNIQUE INDEX batches_idempotency ON batches (owner, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE items (
    batch_id      uuid        NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    seq           integer     NOT NULL,
    item_id       text        NOT NULL,
    status        text        NOT NULL
        CHECK (status IN ('pending', 'in_progress', 'succeeded', 'failed', 'cancelled')),
    input         jsonb       NOT NULL,
    output        text,
    error         jsonb,
    attempts      integer     NOT NULL DEFAULT 0,
    usage         jsonb,
    not_before    timestamptz,
    after_cancel  boolean     NOT NULL DEFAULT false,
    started_at    timestamptz,
    finished_at   timestamptz,
    PRIMARY KEY (batch_id, seq)
);

CREATE INDEX items_pending ON items (batch_id, seq) WHERE status = 'pending';
CREATE INDEX items_by_status ON items (batch_id, status, seq);

CREATE TABLE batch_events (
    id           bigserial   PRIMARY KEY,
    batch_id     uuid        NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    from_status  text        NOT NULL,
    to_status    text        NOT NULL,
    actor        text        NOT NULL,
    reason       text,
    at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX batch_events_batch ON batch_events (batch_id, id);

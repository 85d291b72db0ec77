package dev.sluice.batch;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A position in an owner's list of batches (newest first): the last batch seen. */
public record ListKey(OffsetDateTime createdAt, UUID id) {}

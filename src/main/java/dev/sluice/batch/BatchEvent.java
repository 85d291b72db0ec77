package dev.sluice.batch;

import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** One entry of a batch's history: from which status to which, by whom, why, and when. */
public record BatchEvent(
    String from, String to, String actor, @Nullable String reason, OffsetDateTime at) {}

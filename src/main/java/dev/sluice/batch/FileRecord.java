package dev.sluice.batch;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An uploaded file as stored: who owns it, its name and purpose, its size and line count. */
public record FileRecord(
    UUID id,
    String owner,
    String filename,
    String purpose,
    long bytes,
    int lines,
    OffsetDateTime createdAt) {}

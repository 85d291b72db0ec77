package dev.sluice.batch;

/**
 * An upload to store: its owner, name and purpose, the temporary file the upload was streamed to,
 * and how many lines it may hold (blank lines not counted) and how long one line may be.
 */
public record NewFile(
    String owner,
    String filename,
    String purpose,
    String uploadedPath,
    int maxLines,
    int maxLineBytes) {}

package dev.sluice.generate;

/**
 * How large a batch's output schema may be: its size as compact JSON in UTF-8, and how deeply its
 * objects and arrays may nest.
 */
public record SchemaLimits(int maxBytes, int maxDepth) {}

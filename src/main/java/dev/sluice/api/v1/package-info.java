/**
 * The OpenAI-compatible face of Sluice under {@code /v1}: OpenAI's Files and Batch APIs over the
 * same batches the native API, the web UI and the runners see, with Sluice's pause, resume and
 * retry-failed as extensions, and errors in OpenAI's shape.
 */
@NullMarked
package dev.sluice.api.v1;

import org.jspecify.annotations.NullMarked;

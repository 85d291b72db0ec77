/**
 * The HTTP edge of batches: routes, request parsers, views, the live stream and the results export.
 * It talks to batches only through {@link dev.sluice.batch.Batches}, never to SQL, and owns its
 * cursors' format.
 */
@NullMarked
package dev.sluice.api;

import org.jspecify.annotations.NullMarked;

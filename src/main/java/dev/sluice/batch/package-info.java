/** Batches: the pure state machine and the runtime that persists and drives it. */
@NullMarked
package dev.sluice.batch;

import org.jspecify.annotations.NullMarked;

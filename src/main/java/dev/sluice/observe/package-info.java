/**
 * Observability: the meter registry Prometheus scrapes, Sluice's own metrics, and the log format.
 * Only the runtime shell reports here; the pure state machine never does.
 */
@NullMarked
package dev.sluice.observe;

import org.jspecify.annotations.NullMarked;

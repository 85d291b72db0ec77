package dev.sluice.app;

import dev.sluice.api.BatchRoutes;
import dev.sluice.auth.Authenticator;
import dev.sluice.auth.KeyRoutes;
import dev.sluice.http.Health;
import dev.sluice.observe.PrometheusMetrics;

/**
 * What the API server serves: the batch and key routes, the probes, the metrics (on this port
 * unless a management server has them), and the authenticator in front of the API.
 */
record EdgeParts(
    BatchRoutes batches,
    KeyRoutes keys,
    Health health,
    PrometheusMetrics metrics,
    Authenticator auth,
    boolean metricsHere) {}

package dev.sluice.app;

import dev.sluice.api.BatchRoutes;
import dev.sluice.api.v1.OpenAiRoutes;
import dev.sluice.auth.Authenticator;
import dev.sluice.auth.KeyRoutes;
import dev.sluice.http.Health;
import dev.sluice.observe.PrometheusMetrics;

/**
 * What the API server serves: the batch routes (native and OpenAI's), the key routes, the probes,
 * the metrics (on this port unless a management server has them), and the authenticator in front of
 * the API.
 */
record EdgeParts(
    BatchRoutes batches,
    OpenAiRoutes openAi,
    KeyRoutes keys,
    Health health,
    PrometheusMetrics metrics,
    Authenticator auth,
    boolean metricsHere) {}

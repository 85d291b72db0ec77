package dev.sluice.app;

/** Every setting Sluice reads: its key in sluice.yaml and the environment variable over it. */
enum SettingName {
  HTTP_HOST("http.host", "SLUICE_HTTP_HOST"),
  HTTP_PORT("http.port", "SLUICE_HTTP_PORT"),
  HTTP_INSTANCES("http.instances", "SLUICE_HTTP_INSTANCES"),
  HTTP_IDLE_TIMEOUT_MS("http.idle-timeout-ms", "SLUICE_HTTP_IDLE_TIMEOUT_MS"),
  HTTP_HEADER_TIMEOUT_MS("http.header-timeout-ms", "SLUICE_HTTP_HEADER_TIMEOUT_MS"),
  HTTP_BODY_TIMEOUT_MS("http.body-timeout-ms", "SLUICE_HTTP_BODY_TIMEOUT_MS"),
  DATABASE_URL("database.url", "DATABASE_URL"),
  DATABASE_POOL_SIZE("database.pool-size", "SLUICE_DATABASE_POOL_SIZE"),
  DATABASE_REQUEST_POOL_SIZE("database.request-pool-size", "SLUICE_DATABASE_REQUEST_POOL_SIZE"),
  DATA_DIR("data-dir", "SLUICE_DATA_DIR"),
  GENERATOR("generator.kind", "SLUICE_GENERATOR"),
  SIMULATED_LATENCY_MS("generator.simulated.latency-ms", "SLUICE_SIMULATED_LATENCY_MS"),
  SIMULATED_FAILURE_RATE("generator.simulated.failure-rate", "SLUICE_SIMULATED_FAILURE_RATE"),
  SIMULATED_SEED("generator.simulated.seed", "SLUICE_SIMULATED_SEED"),
  SIMULATED_LATENCY_SPREAD("generator.simulated.latency-spread", "SLUICE_SIMULATED_LATENCY_SPREAD"),
  OPENAI_BASE_URL("generator.openai.base-url", "SLUICE_OPENAI_BASE_URL"),
  OPENAI_API_KEY("generator.openai.api-key", "SLUICE_OPENAI_API_KEY"),
  OPENAI_MODEL("generator.openai.model", "SLUICE_OPENAI_MODEL"),
  OPENAI_TIMEOUT_MS("generator.openai.timeout-ms", "SLUICE_OPENAI_TIMEOUT_MS"),
  PROVIDER_MAX_CONCURRENCY("provider.max-concurrency", "SLUICE_PROVIDER_MAX_CONCURRENCY"),
  PROVIDER_MIN_CONCURRENCY("provider.min-concurrency", "SLUICE_PROVIDER_MIN_CONCURRENCY"),
  PROVIDER_REQUESTS_PER_WINDOW(
      "provider.requests-per-window", "SLUICE_PROVIDER_REQUESTS_PER_WINDOW"),
  PROVIDER_TOKENS_PER_WINDOW("provider.tokens-per-window", "SLUICE_PROVIDER_TOKENS_PER_WINDOW"),
  PROVIDER_WINDOW_MS("provider.window-ms", "SLUICE_PROVIDER_WINDOW_MS"),
  PROVIDER_BREAKER_FAILURES("provider.breaker-failures", "SLUICE_PROVIDER_BREAKER_FAILURES"),
  PROVIDER_BREAKER_COOLDOWN_MS(
      "provider.breaker-cooldown-ms", "SLUICE_PROVIDER_BREAKER_COOLDOWN_MS"),
  MAX_ITEMS("limits.max-items", "SLUICE_MAX_ITEMS"),
  MAX_BODY_BYTES("limits.max-body-bytes", "SLUICE_MAX_BODY_BYTES"),
  MAX_PROMPT_CHARS("limits.max-prompt-chars", "SLUICE_MAX_PROMPT_CHARS"),
  MAX_SCHEMA_BYTES("limits.max-schema-bytes", "SLUICE_MAX_SCHEMA_BYTES"),
  MAX_SCHEMA_DEPTH("limits.max-schema-depth", "SLUICE_MAX_SCHEMA_DEPTH"),
  BATCH_DEFAULT_CONCURRENCY("batch.default-concurrency", "SLUICE_BATCH_DEFAULT_CONCURRENCY"),
  BATCH_MAX_CONCURRENCY("batch.max-concurrency", "SLUICE_BATCH_MAX_CONCURRENCY"),
  BATCH_DEFAULT_MAX_ATTEMPTS("batch.default-max-attempts", "SLUICE_BATCH_DEFAULT_MAX_ATTEMPTS"),
  BATCH_WINDOW("batch.window", "SLUICE_BATCH_WINDOW"),
  BATCH_COMMIT_MAX_ITEMS("batch.commit-max-items", "SLUICE_BATCH_COMMIT_MAX_ITEMS"),
  BATCH_COMMIT_MAX_DELAY_MS("batch.commit-max-delay-ms", "SLUICE_BATCH_COMMIT_MAX_DELAY_MS"),
  BATCH_RETRY_BACKOFF_MS("batch.retry-backoff-ms", "SLUICE_BATCH_RETRY_BACKOFF_MS"),
  BATCH_RETRY_BACKOFF_MAX_MS("batch.retry-backoff-max-ms", "SLUICE_BATCH_RETRY_BACKOFF_MAX_MS"),
  NODE_ID("node.id", "SLUICE_NODE_ID"),
  NODE_LEASE_TTL_MS("node.lease-ttl-ms", "SLUICE_NODE_LEASE_TTL_MS"),
  NODE_EVENT_LOOPS("node.event-loops", "SLUICE_NODE_EVENT_LOOPS"),
  SHUTDOWN_GRACE_MS("node.shutdown-grace-ms", "SLUICE_SHUTDOWN_GRACE_MS"),
  CLUSTER("cluster.enabled", "SLUICE_CLUSTER"),
  CLUSTER_NAME("cluster.name", "SLUICE_CLUSTER_NAME"),
  CLUSTER_MEMBERS("cluster.members", "SLUICE_CLUSTER_MEMBERS"),
  CLUSTER_HOST("cluster.host", "SLUICE_CLUSTER_HOST"),
  CLUSTER_PORT("cluster.port", "SLUICE_CLUSTER_PORT"),
  CLUSTER_KUBERNETES_SERVICE("cluster.kubernetes-service", "SLUICE_CLUSTER_KUBERNETES_SERVICE"),
  LOG_FORMAT("log.format", "SLUICE_LOG_FORMAT"),
  AUTH_REQUIRED("auth.required", "SLUICE_AUTH_REQUIRED"),
  ADMIN_KEY("auth.admin-key", "SLUICE_ADMIN_KEY"),
  KEY_SECRET("auth.key-secret", "SLUICE_KEY_SECRET"),
  JWT_ISSUER("auth.jwt.issuer", "SLUICE_JWT_ISSUER"),
  JWT_AUDIENCE("auth.jwt.audience", "SLUICE_JWT_AUDIENCE"),
  JWT_SECRET("auth.jwt.secret", "SLUICE_JWT_SECRET"),
  JWT_PUBLIC_KEYS("auth.jwt.public-keys", "SLUICE_JWT_PUBLIC_KEYS"),
  JWT_JWKS_FILE("auth.jwt.jwks-file", "SLUICE_JWT_JWKS_FILE"),
  JWT_ROLES_CLAIM("auth.jwt.roles-claim", "SLUICE_JWT_ROLES_CLAIM"),
  JWT_LEEWAY_SECONDS("auth.jwt.leeway-seconds", "SLUICE_JWT_LEEWAY_SECONDS"),
  RATE_LIMIT_PER_MINUTE("limits.rate-limit-per-minute", "SLUICE_RATE_LIMIT_PER_MINUTE"),
  MAX_LIVE_BATCHES_PER_OWNER(
      "limits.max-live-batches-per-owner", "SLUICE_MAX_LIVE_BATCHES_PER_OWNER"),
  MANAGEMENT_HOST("management.host", "SLUICE_MANAGEMENT_HOST"),
  MANAGEMENT_PORT("management.port", "SLUICE_MANAGEMENT_PORT");

  final String key;
  final String env;

  SettingName(String key, String env) {
    this.key = key;
    this.env = env;
  }
}

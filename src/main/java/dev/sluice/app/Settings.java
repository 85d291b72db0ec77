package dev.sluice.app;

import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.RetryPolicy;
import dev.sluice.generate.GateSettings;
import dev.sluice.generate.OpenAiSettings;
import dev.sluice.generate.SchemaLimits;
import dev.sluice.generate.SimulatedSettings;
import dev.sluice.http.HttpSettings;
import dev.sluice.observe.LogFormat;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the settings: the defaults shipped in {@code sluice.yaml}, then {@code config/sluice.yaml}
 * (or the file named by {@code SLUICE_CONFIG}), then environment variables, then {@code
 * --key=value} flags. Anything unknown or out of range stops the start with one sentence.
 */
public final class Settings {

  private static final String CONFIG_FILE_ENV = "SLUICE_CONFIG";

  private Settings() {}

  /** Loads and checks every setting from the given flags and environment. */
  public static SluiceConfig load(List<String> args, Map<String, String> env) {
    Map<String, String> values = flatten(readDefaults(), "defaults");
    Path file = configFile(env);
    if (file != null) {
      overlay(values, flatten(readFile(file), file.toString()), "in " + file);
    }
    overlayEnvironment(values, env);
    overlayFlags(values, args);
    return build(new Reader(values));
  }

  private static @Nullable Path configFile(Map<String, String> env) {
    String named = env.get(CONFIG_FILE_ENV);
    if (named != null && !named.isBlank()) {
      Path path = Path.of(named);
      if (!Files.isRegularFile(path)) {
        throw new ConfigException(
            "The configuration file " + named + " named by SLUICE_CONFIG does not exist.");
      }
      return path;
    }
    Path local = Path.of("config", "sluice.yaml");
    return Files.isRegularFile(local) ? local : null;
  }

  private static Object readDefaults() {
    try (InputStream in = Settings.class.getClassLoader().getResourceAsStream("sluice.yaml")) {
      if (in == null) {
        throw new IllegalStateException("sluice.yaml is missing from the classpath");
      }
      return new Yaml().load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the default settings", e);
    }
  }

  private static Object readFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Object loaded = new Yaml().load(in);
      return loaded == null ? Map.of() : loaded;
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "The configuration file " + file + " cannot be read: " + e.getMessage());
    }
  }

  private static Map<String, String> flatten(Object tree, String source) {
    Map<String, String> out = new LinkedHashMap<>();
    flattenInto(out, "", tree, source);
    return out;
  }

  private static void flattenInto(
      Map<String, String> out, String prefix, @Nullable Object node, String source) {
    if (node instanceof Map<?, ?> map) {
      map.forEach(
          (k, v) ->
              flattenInto(out, prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, source));
    } else if (prefix.isEmpty()) {
      throw new ConfigException("The configuration in " + source + " must be a map of settings.");
    } else {
      out.put(prefix, node == null ? "" : String.valueOf(node));
    }
  }

  private static void overlay(Map<String, String> values, Map<String, String> extra, String where) {
    extra.forEach(
        (key, value) -> {
          if (!values.containsKey(key)) {
            throw new ConfigException("Unknown setting '" + key + "' " + where + ".");
          }
          values.put(key, value);
        });
  }

  private static void overlayEnvironment(Map<String, String> values, Map<String, String> env) {
    Map<String, String> byEnv = new LinkedHashMap<>();
    for (SettingName name : SettingName.values()) {
      byEnv.put(name.env, name.key);
    }
    env.forEach(
        (name, value) -> {
          String key = byEnv.get(name);
          if (key != null) {
            values.put(key, value);
          } else if (name.startsWith("SLUICE_") && !name.equals(CONFIG_FILE_ENV)) {
            throw new ConfigException(
                "Unknown setting "
                    + name
                    + " in the environment; see config/sluice.yaml for the names Sluice reads.");
          }
        });
  }

  private static void overlayFlags(Map<String, String> values, List<String> args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new ConfigException("The argument '" + arg + "' is not of the form --key=value.");
      }
      flags.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    overlay(values, flags, "on the command line");
  }

  private static SluiceConfig build(Reader r) {
    String generator = generator(r);
    OpenAiSettings openai = openAi(r, generator);
    String url = r.text(SettingName.DATABASE_URL);
    SluiceConfig config =
        new SluiceConfig(
            http(r),
            url.isBlank() ? null : DatabaseUrl.parse(url).toString(),
            r.integer(SettingName.DATABASE_POOL_SIZE, 1, 256),
            r.integer(SettingName.DATABASE_REQUEST_POOL_SIZE, 1, 256),
            Path.of(r.text(SettingName.DATA_DIR)),
            generator,
            simulated(r),
            openai,
            provider(r, generator),
            batch(r, generator.equals("openai") ? openai.model() : "simulated"),
            r.logFormat(SettingName.LOG_FORMAT),
            cluster(r),
            r.millis(SettingName.SHUTDOWN_GRACE_MS, 0, 3_600_000),
            AuthSettingsReader.read(r::text, r::integer, r::bool),
            new ManagementSettings(
                r.text(SettingName.MANAGEMENT_HOST),
                r.integer(SettingName.MANAGEMENT_PORT, -1, 65535)),
            eventLoops(r.integer(SettingName.NODE_EVENT_LOOPS, 0, 256)));
    AuthSettingsReader.requireAuthOffLoopback(config.http().host(), config.auth());
    return config;
  }

  private static HttpSettings http(Reader r) {
    return new HttpSettings(
        r.text(SettingName.HTTP_HOST),
        r.integer(SettingName.HTTP_PORT, 0, 65535),
        r.integer(SettingName.HTTP_INSTANCES, 0, 256),
        r.integer(SettingName.MAX_ITEMS, 1, 10_000_000),
        r.number(SettingName.MAX_BODY_BYTES, 1024, 1L << 31),
        r.integer(SettingName.MAX_PROMPT_CHARS, 1, 10_000_000),
        r.millis(SettingName.HTTP_IDLE_TIMEOUT_MS, 1000, 86_400_000),
        r.millis(SettingName.HTTP_HEADER_TIMEOUT_MS, 100, 3_600_000),
        r.millis(SettingName.HTTP_BODY_TIMEOUT_MS, 100, 86_400_000));
  }

  /** {@code generator.kind}: {@code simulated} or {@code openai}. */
  private static String generator(Reader r) {
    String generator = r.text(SettingName.GENERATOR);
    if (!generator.equals("simulated") && !generator.equals("openai")) {
      throw new ConfigException(
          "Setting generator.kind (SLUICE_GENERATOR) must be 'simulated' or 'openai'; got '"
              + generator
              + "'.");
    }
    return generator;
  }

  /** The OpenAI-compatible provider's settings; with that generator, a model must be named. */
  private static OpenAiSettings openAi(Reader r, String generator) {
    OpenAiSettings openai =
        new OpenAiSettings(
            r.httpUrl(SettingName.OPENAI_BASE_URL),
            r.text(SettingName.OPENAI_API_KEY),
            r.text(SettingName.OPENAI_MODEL),
            Duration.ofMillis(r.integer(SettingName.OPENAI_TIMEOUT_MS, 100, 3_600_000)));
    if (generator.equals("openai") && openai.model().isEmpty()) {
      throw new ConfigException(
          "Setting generator.openai.model (SLUICE_OPENAI_MODEL) must name a model when"
              + " SLUICE_GENERATOR is openai.");
    }
    return openai;
  }

  /** The provider's limits; the simulated generator has no breaker. */
  private static GateSettings provider(Reader r, String generator) {
    int providerMax = r.integer(SettingName.PROVIDER_MAX_CONCURRENCY, 0, 100_000);
    return new GateSettings(
        providerMax,
        r.integer(SettingName.PROVIDER_MIN_CONCURRENCY, 1, Math.max(1, providerMax)),
        r.integer(SettingName.PROVIDER_REQUESTS_PER_WINDOW, 0, 100_000_000),
        r.number(SettingName.PROVIDER_TOKENS_PER_WINDOW, 0, Long.MAX_VALUE),
        Duration.ofMillis(r.integer(SettingName.PROVIDER_WINDOW_MS, 100, 86_400_000)),
        generator.equals("simulated")
            ? 0
            : r.integer(SettingName.PROVIDER_BREAKER_FAILURES, 0, 1_000_000),
        Duration.ofMillis(r.integer(SettingName.PROVIDER_BREAKER_COOLDOWN_MS, 10, 86_400_000)));
  }

  private static SimulatedSettings simulated(Reader r) {
    return new SimulatedSettings(
        r.integer(SettingName.SIMULATED_LATENCY_MS, 0, 600_000),
        r.fraction(SettingName.SIMULATED_FAILURE_RATE),
        r.number(SettingName.SIMULATED_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
        r.fraction(SettingName.SIMULATED_LATENCY_SPREAD));
  }

  /** The batch runner's settings; {@code model} is what the batches record as their model. */
  private static BatchSettings batch(Reader r, String model) {
    int maxConcurrency = r.integer(SettingName.BATCH_MAX_CONCURRENCY, 1, 100_000);
    int backoff = r.integer(SettingName.BATCH_RETRY_BACKOFF_MS, 0, 3_600_000);
    return new BatchSettings(
        r.integer(SettingName.BATCH_DEFAULT_CONCURRENCY, 1, maxConcurrency),
        maxConcurrency,
        r.integer(SettingName.BATCH_DEFAULT_MAX_ATTEMPTS, 1, 100),
        r.integer(SettingName.BATCH_WINDOW, 1, 100_000),
        r.integer(SettingName.BATCH_COMMIT_MAX_ITEMS, 1, 100_000),
        Duration.ofMillis(r.integer(SettingName.BATCH_COMMIT_MAX_DELAY_MS, 0, 10_000)),
        new RetryPolicy(
            Duration.ofMillis(backoff),
            Duration.ofMillis(
                r.integer(SettingName.BATCH_RETRY_BACKOFF_MAX_MS, backoff, 86_400_000))),
        nodeId(r.text(SettingName.NODE_ID)),
        Duration.ofMillis(r.integer(SettingName.NODE_LEASE_TTL_MS, 1000, 3_600_000)),
        model,
        new SchemaLimits(
            r.integer(SettingName.MAX_SCHEMA_BYTES, 64, 64 << 20),
            r.integer(SettingName.MAX_SCHEMA_DEPTH, 2, 512)));
  }

  /** {@code node.event-loops}, or when 0 Vert.x's own count: two per CPU core. */
  private static int eventLoops(int setting) {
    return setting > 0 ? setting : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
  }

  private static ClusterSettings cluster(Reader r) {
    List<String> members = new ArrayList<>();
    for (String m : r.text(SettingName.CLUSTER_MEMBERS).split(",", -1)) {
      String member = m.trim();
      if (member.isEmpty()) {
        continue;
      }
      int colon = member.lastIndexOf(':');
      boolean portOk = colon < 0 || member.substring(colon + 1).matches("[0-9]{1,5}");
      if (colon == 0 || !portOk) {
        throw new ConfigException(
            "Setting cluster.members (SLUICE_CLUSTER_MEMBERS) must list host:port entries"
                + " separated by commas; '"
                + member
                + "' is not one.");
      }
      members.add(member);
    }
    String name = r.text(SettingName.CLUSTER_NAME);
    if (name.isEmpty()) {
      throw new ConfigException(
          "Setting cluster.name (SLUICE_CLUSTER_NAME) must not be empty: members join only others"
              + " of the same name.");
    }
    return new ClusterSettings(
        r.bool(SettingName.CLUSTER),
        name,
        List.copyOf(members),
        r.text(SettingName.CLUSTER_HOST),
        r.integer(SettingName.CLUSTER_PORT, 1, 65535),
        r.text(SettingName.CLUSTER_KUBERNETES_SERVICE),
        !r.text(SettingName.NODE_ID).isEmpty());
  }

  private static String nodeId(String configured) {
    if (!configured.isBlank()) {
      return configured;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "local";
    }
  }

  /** Typed access to the merged values, with one sentence per bad value. */
  private record Reader(Map<String, String> values) {

    String text(SettingName name) {
      return values.getOrDefault(name.key, "").trim();
    }

    int integer(SettingName name, int min, int max) {
      return (int) number(name, min, max);
    }

    long number(SettingName name, long min, long max) {
      String raw = text(name);
      try {
        long value = Long.parseLong(raw);
        if (value >= min && value <= max) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(name, "a whole number from " + min + " to " + max, raw);
    }

    boolean bool(SettingName name) {
      String raw = text(name);
      if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(raw);
      }
      throw invalid(name, "true or false", raw);
    }

    Duration millis(SettingName name, int min, int max) {
      return Duration.ofMillis(integer(name, min, max));
    }

    String httpUrl(SettingName name) {
      String raw = text(name);
      try {
        java.net.URI uri = new java.net.URI(raw);
        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            && uri.getHost() != null) {
          return raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        }
      } catch (java.net.URISyntaxException e) {
        // reported below
      }
      throw invalid(name, "an http:// or https:// URL", raw);
    }

    double fraction(SettingName name) {
      String raw = text(name);
      try {
        double value = Double.parseDouble(raw);
        if (value >= 0.0 && value <= 1.0) {
          return value;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(name, "a number from 0.0 to 1.0", raw);
    }

    LogFormat logFormat(SettingName name) {
      String raw = text(name);
      return LogFormat.parse(raw).orElseThrow(() -> invalid(name, "console or json", raw));
    }

    static ConfigException invalid(SettingName name, String expected, String raw) {
      return new ConfigException(
          "Setting "
              + name.key
              + " ("
              + name.env
              + ") must be "
              + expected
              + "; got '"
              + raw
              + "'.");
    }
  }
}

package dev.sluice.observe;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * How log lines are written to standard output: {@code console} for people (the default), or {@code
 * json}, one JSON object per line with key-value pairs (such as {@code batch}) as fields.
 *
 * <p>The shipped {@code logback.xml} picks the format from the context property {@value #PROPERTY},
 * else from the environment variable {@code SLUICE_LOG_FORMAT}, so even the first line of a process
 * started with {@code SLUICE_LOG_FORMAT=json} is JSON. When the format comes from {@code
 * sluice.yaml} or a flag instead, {@link #apply} reloads that configuration with the property set.
 * An operator's own configuration ({@code -Dlogback.configurationFile}) is left alone.
 */
public enum LogFormat {
  CONSOLE,
  JSON;

  /** The logback context property the shipped configuration reads the format from. */
  public static final String PROPERTY = "sluice.log.format";

  private static final String ENV = "SLUICE_LOG_FORMAT";

  /** The format named {@code console} or {@code json}, in any case. */
  public static Optional<LogFormat> parse(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "console" -> Optional.of(CONSOLE);
      case "json" -> Optional.of(JSON);
      default -> Optional.empty();
    };
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Makes every later log line of this process use this format. */
  public void apply() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    URL config = LogFormat.class.getClassLoader().getResource("logback.xml");
    if (!(factory instanceof LoggerContext context)
        || config == null
        || System.getProperty("logback.configurationFile") != null
        || wire().equals(current(context))) {
      return;
    }
    context.reset();
    context.putProperty(PROPERTY, wire());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("the logging configuration could not be reloaded", e);
    }
  }

  private static String current(LoggerContext context) {
    String set = context.getProperty(PROPERTY);
    if (set != null) {
      return set;
    }
    String env = System.getenv(ENV);
    return env == null ? CONSOLE.wire() : parse(env).orElse(CONSOLE).wire();
  }
}

package dev.sluice.bench;

import dev.sluice.support.JarProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sluice as an operator runs it: {@code java -jar target/sluice.jar} in its own JVM, configured by
 * environment variables only, its output in a log file. It listens on a port chosen up front so the
 * benchmark can probe {@code /health/ready} from the moment the JVM is spawned.
 */
public final class SluiceProcess {

  private static final Pattern RUNNING =
      Pattern.compile("Sluice is running: http://localhost:(\\d+)/");
  private static final Pattern RECOVERED =
      Pattern.compile(
          "^(?:\\d{4}-\\d\\d-\\d\\d )?(\\d\\d:\\d\\d:\\d\\d[.,]\\d\\d\\d) .*; (\\d+) batches recovered",
          Pattern.MULTILINE);

  private final Process process;
  private final Path log;
  private final long spawnedNanos;
  private final LocalTime spawnedAt;
  private final int port;
  private final Http http;

  private SluiceProcess(
      Process process, Path log, long spawnedNanos, LocalTime spawnedAt, int port) {
    this.process = process;
    this.log = log;
    this.spawnedNanos = spawnedNanos;
    this.spawnedAt = spawnedAt;
    this.port = port;
    this.http = new Http(port);
  }

  /**
   * Spawns the jar with exactly these Sluice settings (inherited SLUICE_* variables are dropped).
   */
  public static SluiceProcess spawn(Path jar, Path log, Map<String, String> settings) {
    return spawn(jar, log, settings, List.of());
  }

  /** As {@link #spawn(Path, Path, Map)}, with these JVM flags before {@code -jar}. */
  public static SluiceProcess spawn(
      Path jar, Path log, Map<String, String> settings, List<String> jvmFlags) {
    int port = JarProcess.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("SLUICE_") || k.equals("DATABASE_URL"));
    env.putAll(settings);
    env.put("SLUICE_HTTP_HOST", "127.0.0.1");
    env.put("SLUICE_HTTP_PORT", Integer.toString(port));
    try {
      LocalTime wall = LocalTime.now(ZoneId.systemDefault()); // the zone Sluice's log uses
      long spawned = System.nanoTime();
      Process p = builder.start();
      return new SluiceProcess(p, log, spawned, wall, port);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + command, e);
    }
  }

  /** When the JVM was spawned (System.nanoTime). */
  public long spawnedNanos() {
    return spawnedNanos;
  }

  public long pid() {
    return process.pid();
  }

  public Http http() {
    return http;
  }

  /** The loopback port it listens on. */
  public int port() {
    return port;
  }

  /** Whether the JVM is still running. */
  public boolean alive() {
    return process.isAlive();
  }

  /**
   * Polls {@code /health/ready} every {@code pollMillis} until it answers 200 and returns that
   * moment (System.nanoTime); also notes when the "Sluice is running" line appeared in the log.
   */
  public Ready awaitReady(long timeoutMillis, long pollMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long lineSeen = -1;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Sluice exited with " + process.exitValue() + "; its log ends:\n" + tail(30));
      }
      if (lineSeen < 0 && runningLine().isPresent()) {
        lineSeen = System.nanoTime();
      }
      Optional<Http.Reply> r = http.probe("/health/ready");
      if (r.isPresent() && r.get().status() == 200) {
        long ready = System.nanoTime();
        return new Ready(ready, lineSeen >= 0 ? lineSeen : awaitRunningLine(ready, pollMillis));
      }
      Thread.sleep(pollMillis);
    }
    throw new IllegalStateException(
        "Sluice was not ready within " + timeoutMillis + " ms; its log ends:\n" + tail(30));
  }

  /**
   * When the start-up line was first seen, looking for up to 2 s from {@code ready}: Sluice logs it
   * once its start has returned, which can be a moment after readiness first answers 200; -1 if it
   * did not come.
   */
  private long awaitRunningLine(long ready, long pollMillis) throws InterruptedException {
    while (System.nanoTime() - ready < TimeUnit.SECONDS.toNanos(2)) {
      if (runningLine().isPresent()) {
        return System.nanoTime();
      }
      Thread.sleep(Math.min(pollMillis, 10));
    }
    return -1;
  }

  /**
   * Ready: when /health/ready first answered 200, and when the start-up line was first seen (or
   * -1).
   */
  public record Ready(long readyNanos, long lineNanos) {}

  private Optional<Integer> runningLine() {
    Matcher m = RUNNING.matcher(logText());
    if (!m.find()) {
      return Optional.empty();
    }
    int printed = Integer.parseInt(m.group(1));
    if (printed != port) {
      throw new IllegalStateException(
          "Sluice says it listens on " + printed + ", not on the port it was given, " + port);
    }
    return Optional.of(printed);
  }

  /** How many batches the start-up log says were recovered, or -1. */
  int recoveredCount() {
    Matcher m = RECOVERED.matcher(logText());
    return m.find() ? Integer.parseInt(m.group(2)) : -1;
  }

  /**
   * The count of Sluice's "N batches recovered" line, waiting up to {@code timeoutMillis} for it
   * (readiness can answer before the line is written); -1 if it never came.
   */
  int awaitRecoveredCount(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    int count = recoveredCount();
    while (count < 0 && System.nanoTime() < deadline && process.isAlive()) {
      TimeUnit.MILLISECONDS.sleep(20);
      count = recoveredCount();
    }
    return count;
  }

  /**
   * Seconds from the spawn to the time stamp of Sluice's own "N batches recovered" log line (its
   * start-up, recovery included, is done then), to the millisecond of the log; NaN if not logged.
   */
  double recoveredAfterSeconds() {
    Matcher m = RECOVERED.matcher(logText());
    if (!m.find()) {
      return Double.NaN;
    }
    long ms = Duration.between(spawnedAt, LocalTime.parse(m.group(1).replace(',', '.'))).toMillis();
    return (ms < 0 ? ms + Duration.ofDays(1).toMillis() : ms) / 1000.0;
  }

  private String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  public String tail(int lines) {
    List<String> all = logText().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** Kills the JVM with SIGKILL, as a crash would, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Asks the JVM to stop (SIGTERM, so its shutdown hook runs); kills it after 30 s. */
  public void stop() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill();
    }
  }
}

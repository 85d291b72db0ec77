package dev.sluice.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Sluice process started from the packaged jar with an environment of the test's choosing, its
 * log in a file, and the HTTP port it printed once it was ready.
 */
public final class JarProcess {

  private static final Pattern READY =
      Pattern.compile("Sluice is running: http://localhost:(\\d+)/");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private final String name;
  private final Process process;
  private final Path log;
  private int port;

  private JarProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts the jar in {@code workDir} with only PATH, LANG and {@code env} set; does not wait. */
  public static JarProcess launch(Path jar, Path workDir, String name, Map<String, String> env) {
    Path log = workDir.resolve("sluice-" + name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    Map<String, String> vars = builder.environment();
    vars.clear();
    vars.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    vars.put("LANG", "C.UTF-8");
    vars.putAll(env);
    try {
      return new JarProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the process prints where it listens. */
  public JarProcess awaitReady() {
    port =
        await("Sluice (" + name + ") prints where it listens; log in " + log)
            .atMost(START_TIMEOUT)
            .pollInterval(Duration.ofMillis(100))
            .until(this::readyPort, p -> p > 0);
    return this;
  }

  private int readyPort() {
    String text = logText();
    Matcher m = READY.matcher(text);
    if (m.find()) {
      return Integer.parseInt(m.group(1));
    }
    if (!process.isAlive()) {
      throw new AssertionError(
          "Sluice exited with " + process.exitValue() + " before it was ready:\n" + text);
    }
    return 0;
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public Api api() {
    return new Api(port);
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public String logText() {
    try {
      return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a signal by name (STOP, CONT) to the process. */
  public void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Ends the process at once, whatever state it is in. */
  public void destroy() {
    if (process.isAlive()) {
      try {
        signal("CONT");
      } catch (IllegalStateException e) {
        // it ended meanwhile
      }
    }
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A TCP port nobody listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.sluice.bench.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the harness's own, so it can be stopped without touching the shared
 * server: initdb and pg_ctl from the newest {@code /usr/lib/postgresql/*}{@code /bin}, in a
 * temporary directory, on a free loopback port. As root every command runs as user postgres ({@code
 * runuser -u postgres --}), since PostgreSQL refuses root. {@link #close} stops it and deletes the
 * directory.
 */
final class PrivatePostgres {

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean root;

  private PrivatePostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.root = "root".equals(System.getProperty("user.name"));
  }

  /** Creates the cluster (initdb) and starts it. */
  static PrivatePostgres create() throws IOException, InterruptedException {
    Path bin = newestBin();
    Path dir = Files.createTempDirectory("sluice-faults-pg-");
    PrivatePostgres pg = new PrivatePostgres(bin, dir, freePort());
    if (pg.root) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
    }
    pg.run(
        60,
        "initdb",
        "-D",
        pg.data.toString(),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync");
    pg.start();
    return pg;
  }

  private static Path newestBin() throws IOException {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
          .max(
              Comparator.comparingInt(
                  b ->
                      Integer.parseInt(
                          b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IOException("no /usr/lib/postgresql/*/bin/pg_ctl"));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  String version() {
    return bin.getParent().getFileName().toString();
  }

  /** Starts the server and waits until it accepts connections. */
  void start() throws IOException, InterruptedException {
    run(
        90,
        "pg_ctl",
        "-D",
        data.toString(),
        "-l",
        dir.resolve("postgres.log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
        "start");
  }

  /**
   * Stops the server at once, as a crash or a pulled plug would: no checkpoint, clients cut off.
   */
  void stopImmediately() throws IOException, InterruptedException {
    run(60, "pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
  }

  boolean running() throws IOException, InterruptedException {
    return run(10, "pg_ctl", "-D", data.toString(), "status").isEmpty();
  }

  /**
   * The clean-up, also when the run fails or is interrupted mid-outage: a stopped server is started
   * again (it must come back from the immediate stop), then stopped and its directory deleted.
   */
  void startIfStoppedThenRemove() throws IOException, InterruptedException {
    try {
      if (!running()) {
        start();
      }
    } finally {
      close();
    }
  }

  /** Stops the server if it runs and deletes its directory. */
  void close() throws IOException, InterruptedException {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        run(60, "pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /**
   * Runs one of the server's programs; returns "" on success, else its output, and throws on
   * failure unless it is {@code status}.
   */
  private String run(int timeoutSeconds, String program, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (root) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    Path log = dir.getParent().resolve(dir.getFileName() + "-" + program + ".out");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .directory(dir.toFile())
            .start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(
          String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    if (p.exitValue() == 0) {
      return "";
    }
    if (program.equals("pg_ctl") && args[args.length - 1].equals("status")) {
      return output.isEmpty() ? "not running" : output;
    }
    throw new UncheckedIOException(
        new IOException(
            String.join(" ", command) + " exited " + p.exitValue() + ": " + output.trim()));
  }
}

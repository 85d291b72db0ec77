package dev.sluice.bench;

import dev.sluice.app.Database;
import dev.sluice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The optional million-item parts of the benchmark: one batch of 1,000,000 items (about 108 MB of
 * JSON) created through {@code POST /api/generation/batch} on {@code java -Xmx512m -jar
 * target/sluice.jar}, a fresh JVM and database each run. The body is written as it is generated,
 * never held whole.
 *
 * <ul>
 *   <li>{@code bench/run --only=create}: the runner stays idle (10-minute latency). Per run: the
 *       time from the first byte sent to the 201, the peak heap (sampled from {@code /metrics}
 *       every 100 ms during the create, and the largest heap before a collection in the JVM's GC
 *       log), the rows stored, and Sluice's CPU time.
 *   <li>{@code bench/run --only=million}: the same create at concurrency 1,024 with a zero-latency
 *       generator that never fails, timed from the first byte sent until the API reports the batch
 *       {@code completed} — every result stored — as items per second; and the rows succeeded.
 * </ul>
 */
final class CreateBench {

  static final double TARGET_SECONDS = 20;
  static final double TARGET_ITEMS_PER_S = 35_000;
  static final long HEAP_MAX_MIB = 512;

  private static final Locale L = Locale.ROOT;
  private static final int ITEMS = 1_000_000;
  private static final int RUN_CONCURRENCY = 1024;
  private static final String TAIL = "]}";
  private static final Pattern HEAP_LINE =
      Pattern.compile(
          "^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.eE+]+)$", Pattern.MULTILINE);
  private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->\\d+M\\((\\d+)M\\)");

  private final Path jar;
  private final Path logs;
  private final int runs;
  private final Consumer<String> say;
  private final boolean untilCompleted;
  private final String head;

  /**
   * The create alone ({@code untilCompleted} false), or the create and the whole batch run through
   * to {@code completed}.
   */
  CreateBench(Path jar, Path logs, int runs, Consumer<String> say, boolean untilCompleted) {
    this.jar = jar;
    this.logs = logs;
    this.runs = runs;
    this.say = say;
    this.untilCompleted = untilCompleted;
    this.head =
        "{\"name\":\"A million questions\",\"concurrency\":"
            + (untilCompleted ? RUN_CONCURRENCY : 1)
            + ",\"items\":[";
  }

  /** One run's figures; {@code completedSeconds} from the first byte to completed (or NaN). */
  private record Run(
      double seconds,
      double completedSeconds,
      double sampledMib,
      double gcLogMib,
      long rows,
      double cpu) {}

  void run() throws Exception {
    if (untilCompleted) {
      runThrough();
      return;
    }
    say.accept("");
    say.accept(
        String.format(
            L,
            "(f) create: one batch of %,d items (%.1f MB of JSON, written as generated) on java"
                + " -Xmx%dm -jar sluice.jar; a fresh JVM and database each run",
            ITEMS,
            bodyLength() / 1e6,
            HEAP_MAX_MIB));
    List<Run> all = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      all.add(once(run));
    }
    List<Double> seconds = all.stream().map(Run::seconds).toList();
    double peak =
        all.stream().mapToDouble(r -> Math.max(r.sampledMib(), r.gcLogMib())).max().orElse(0);
    double median = Stats.median(seconds);
    say.accept(
        String.format(
            L,
            "  median of %d: first byte → 201 in %.1f s (target ≤ %.0f s: %s); highest peak heap"
                + " %.0f MiB of %d MiB (%s); every run stored all %,d rows: %s",
            runs,
            median,
            TARGET_SECONDS,
            median <= TARGET_SECONDS ? "met" : "MISSED",
            peak,
            HEAP_MAX_MIB,
            peak <= HEAP_MAX_MIB ? "within" : "OVER",
            ITEMS,
            all.stream().allMatch(r -> r.rows() == ITEMS) ? "yes" : "NO"));
  }

  private Run once(int run) throws Exception {
    try (TestDatabase db = TestDatabase.create(CreateBench.class)) {
      Path gcLog = logs.resolve(prefix() + run + "-gc.log");
      SluiceProcess sluice = spawn(db, run, gcLog);
      try {
        sluice.awaitReady(120_000, 50);
        String load = Files.readString(Path.of("/proc/loadavg")).trim().replaceAll(" .*", "");
        Run r = measure(sluice, db, gcLog);
        say.accept(
            String.format(
                L,
                "  run %d (load %s): first byte → 201 in %.1f s (%,.0f items/s)%s; peak heap %.0f"
                    + " MiB sampled, %.0f MiB before a collection (GC log); %,d rows %s; Sluice CPU"
                    + " %.1f s",
                run,
                load,
                r.seconds(),
                ITEMS / r.seconds(),
                untilCompleted
                    ? String.format(
                        L,
                        ", → completed in %.1f s (%,.0f items/s)",
                        r.completedSeconds(),
                        ITEMS / r.completedSeconds())
                    : "",
                r.sampledMib(),
                r.gcLogMib(),
                r.rows(),
                untilCompleted ? "succeeded" : "stored",
                r.cpu()));
        return r;
      } finally {
        sluice.stop();
      }
    }
  }

  private SluiceProcess spawn(TestDatabase db, int run, Path gcLog) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DATABASE_URL", db.url().toString());
    env.put("SLUICE_NODE_ID", "bench-create");
    if (untilCompleted) {
      env.put("SLUICE_SIMULATED_LATENCY_MS", "0");
      env.put("SLUICE_SIMULATED_FAILURE_RATE", "0");
    } else {
      env.put("SLUICE_SIMULATED_LATENCY_MS", "600000"); // the runner stays idle after the 201
    }
    env.put("SLUICE_LOG_FORMAT", "console");
    return SluiceProcess.spawn(
        jar,
        logs.resolve(prefix() + run + ".log"),
        env,
        List.of("-Xmx" + HEAP_MAX_MIB + "m", "-Xlog:gc:file=" + gcLog));
  }

  /** One create, with the heap sampled and Sluice's CPU time counted while it runs. */
  private Run measure(SluiceProcess sluice, TestDatabase db, Path gcLog) throws Exception {
    HeapSampler sampler = new HeapSampler(sluice.port());
    sampler.start();
    Duration cpuBefore = cpu(sluice);
    long[] firstByte = new long[1];
    String id;
    long done;
    try {
      id = post(sluice.port(), firstByte);
      done = System.nanoTime();
    } finally {
      sampler.stop();
    }
    double completed = Double.NaN;
    if (untilCompleted) {
      completed =
          (SluiceBench.awaitStatus(sluice.http(), id, "completed", 50) - firstByte[0]) / 1e9;
    }
    double cpu = cpu(sluice).minus(cpuBefore).toMillis() / 1000.0;
    return new Run(
        (done - firstByte[0]) / 1e9,
        completed,
        sampler.peak() / 1048576.0,
        gcPeak(gcLog),
        rows(db, id, untilCompleted ? "succeeded" : null),
        cpu);
  }

  private String prefix() {
    return untilCompleted ? "million-" : "create-";
  }

  /** The million through to completed, {@code runs} times, and the median items per second. */
  private void runThrough() throws Exception {
    say.accept("");
    say.accept(
        String.format(
            L,
            "(g) a million items through: one batch of %,d items (%.1f MB of JSON) at concurrency"
                + " %d, zero-latency simulated generator that never fails, java -Xmx%dm -jar"
                + " sluice.jar; first byte of the create → completed; a fresh JVM and database each"
                + " run",
            ITEMS,
            bodyLength() / 1e6,
            RUN_CONCURRENCY,
            HEAP_MAX_MIB));
    List<Double> rates = new ArrayList<>();
    boolean allStored = true;
    for (int run = 1; run <= runs; run++) {
      Run r = once(run);
      rates.add(ITEMS / r.completedSeconds());
      allStored &= r.rows() == ITEMS;
    }
    double median = Stats.median(rates);
    say.accept(
        String.format(
            L,
            "  median of %d: %,.0f items/s, first byte → completed (target ≥ %,.0f: %s); every run"
                + " stored all %,d results: %s",
            runs,
            median,
            TARGET_ITEMS_PER_S,
            median >= TARGET_ITEMS_PER_S ? "met" : "MISSED",
            ITEMS,
            allStored ? "yes" : "NO"));
  }

  /** Sends the body as it is generated; returns the new batch's id. */
  private String post(int port, long[] firstByte) throws IOException {
    HttpURLConnection http =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + port + "/api/generation/batch")
                .toURL()
                .openConnection();
    http.setRequestMethod("POST");
    http.setDoOutput(true);
    http.setRequestProperty("Content-Type", "application/json");
    http.setFixedLengthStreamingMode(bodyLength());
    http.setReadTimeout(600_000);
    http.connect();
    try (OutputStream out = new BufferedOutputStream(http.getOutputStream(), 65_536)) {
      firstByte[0] = System.nanoTime();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < ITEMS; i++) {
        if (i > 0) {
          out.write(',');
        }
        out.write(item(i).getBytes(StandardCharsets.US_ASCII));
      }
      out.write(TAIL.getBytes(StandardCharsets.US_ASCII));
    }
    int status = http.getResponseCode();
    try (InputStream in = status < 400 ? http.getInputStream() : http.getErrorStream()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (status != 201) {
        throw new IllegalStateException("the create answered " + status + ": " + body);
      }
      return new JsonObject(body).getString("id");
    }
  }

  private static String item(int i) {
    return "{\"id\":\"q"
        + (i + 1)
        + "\",\"prompt\":\"Write one exam question about topic number "
        + (i + 1)
        + " of the cell biology syllabus.\"}";
  }

  private long bodyLength() {
    long n = (long) head.length() + TAIL.length() + ITEMS - 1;
    for (int i = 0; i < ITEMS; i++) {
      n += item(i).length();
    }
    return n;
  }

  /** The batch's item rows, or only those with {@code status} when it is given. */
  private static long rows(TestDatabase db, String id, @Nullable String status) throws Exception {
    try (Connection c = Database.connect(db.url());
        PreparedStatement st =
            c.prepareStatement(
                "SELECT count(*) FROM items WHERE batch_id = ?::uuid AND (?::text IS NULL OR status ="
                    + " ?::text)")) {
      st.setString(1, id);
      st.setString(2, status);
      st.setString(3, status);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Duration cpu(SluiceProcess p) {
    return ProcessHandle.of(p.pid())
        .flatMap(h -> h.info().totalCpuDuration())
        .orElse(Duration.ZERO);
  }

  /** The largest heap in use before a collection, in MiB, over the JVM's life. */
  private static double gcPeak(Path gcLog) throws IOException {
    Matcher m = GC_LINE.matcher(Files.readString(gcLog));
    double peak = 0;
    while (m.find()) {
      peak = Math.max(peak, Double.parseDouble(m.group(1)));
    }
    return peak;
  }

  /** Polls {@code /metrics} every 100 ms and keeps the most heap it saw in use. */
  private static final class HeapSampler {
    private final HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI metrics;
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread = new Thread(this::loop, "bench-heap-sampler");

    HeapSampler(int port) {
      this.metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    void start() {
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    long peak() {
      return peak.get();
    }

    private void loop() {
      while (running) {
        try {
          String text =
              client
                  .send(
                      HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body();
          Matcher m = HEAP_LINE.matcher(text);
          long used = 0;
          while (m.find()) {
            used += (long) Double.parseDouble(m.group(1));
          }
          peak.accumulateAndGet(used, Math::max);
          Thread.sleep(100);
        } catch (IOException e) {
          // a scrape that failed under load is a sample missed, not a reason to stop
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}

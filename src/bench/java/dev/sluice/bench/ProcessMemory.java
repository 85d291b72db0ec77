package dev.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Sluice process's memory: the heap's live set after a full GC (from its own {@code /metrics}),
 * and its resident memory now and at most (from {@code /proc}); the top of its class histogram is
 * kept in a file beside the logs, to see what the heap holds.
 */
record ProcessMemory(double heapMiB, double rssMiB, double peakRssMiB) {

  private static final Pattern HEAP_USED =
      Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\".*\\} (\\S+)$", Pattern.MULTILINE);

  /** Runs a full GC in the process, then measures; writes the histogram's top to {@code file}. */
  static ProcessMemory of(SluiceProcess node, Path histogram) throws Exception {
    jcmd(node.pid(), "GC.run");
    Matcher m = HEAP_USED.matcher(node.http().get("/metrics").body());
    double heap = 0;
    while (m.find()) {
      heap += Double.parseDouble(m.group(1));
    }
    List<String> top = jcmd(node.pid(), "GC.class_histogram").lines().limit(40).toList();
    Files.write(histogram, top, StandardCharsets.UTF_8);
    String status = Files.readString(Path.of("/proc/" + node.pid() + "/status"));
    return new ProcessMemory(
        heap / (1 << 20), kib(status, "VmRSS") / 1024.0, kib(status, "VmHWM") / 1024.0);
  }

  private static long kib(String status, String field) {
    Matcher m = Pattern.compile("^" + field + ":\\s+(\\d+) kB", Pattern.MULTILINE).matcher(status);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + out);
    }
    return out;
  }
}

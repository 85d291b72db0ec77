package dev.sluice.bench.faults;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the harness prints: every line goes to the terminal and to {@code last-run.txt}; each part
 * ends with one verdict line, and the run fails when any verdict misses its target.
 */
final class Report implements AutoCloseable {

  /** One part's verdict: the figures beside their targets, and whether every target was met. */
  record Verdict(String part, boolean pass, String line) {}

  private final PrintWriter file;
  private final List<Verdict> verdicts = new ArrayList<>();

  Report(Path lastRun) {
    try {
      Files.createDirectories(lastRun.getParent());
      this.file = new PrintWriter(Files.newBufferedWriter(lastRun, StandardCharsets.UTF_8), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
    file.println(line);
  }

  void say(String format, Object... args) {
    say(String.format(Locale.ROOT, format, args));
  }

  void section(String title) {
    say("");
    say(title);
  }

  void verdict(String part, boolean pass, String figures) {
    Verdict v = new Verdict(part, pass, figures);
    synchronized (this) {
      verdicts.add(v);
    }
    say("  verdict %-7s %s  %s", part + ":", pass ? "PASS" : "MISS", figures);
  }

  /** Prints one line per part and says whether every target was met. */
  boolean summary() {
    section("verdicts (one line per part)");
    boolean all = true;
    for (Verdict v : verdicts) {
      say("  %-7s %s  %s", v.part() + ":", v.pass() ? "PASS" : "MISS", v.line());
      all &= v.pass();
    }
    say(all ? "all targets met" : "targets missed: the harness exits with status 1");
    return all;
  }

  @Override
  public void close() {
    file.close();
  }
}

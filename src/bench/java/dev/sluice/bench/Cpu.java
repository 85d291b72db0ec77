package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * CPU time read from {@code /proc}: of one process (all threads), and of the whole machine. The
 * benchmark prints them beside each figure to show where the time went. Zero where {@code /proc} is
 * not there.
 */
public final class Cpu {

  private static final Pattern SPACES = Pattern.compile(" +");
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on every Linux this runs on

  private Cpu() {}

  /** CPU seconds of one process, all its threads; 0 once it is gone. */
  public static double process(long pid) {
    return ticks(read(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** CPU seconds of one process's JIT compiler threads (C1 and C2); 0 once it is gone. */
  static double compiler(long pid) {
    double sum = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String line = read(task.resolve("stat"));
        int open = line.indexOf('(');
        if (open >= 0 && line.startsWith("C", open + 1) && line.contains("CompilerThre")) {
          sum += ticks(line);
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return sum;
  }

  /**
   * CPU seconds of one process's threads by group: the thread's name without its trailing number
   * (Linux keeps 15 characters of it), so the event loops, the JIT, the collector and Hazelcast's
   * threads each add up to one figure. Empty once the process is gone.
   */
  static Map<String, Double> byThreadGroup(long pid) {
    Map<String, Double> out = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String line = read(task.resolve("stat"));
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open >= 0 && close > open) {
          String group = TRAILING_NUMBER.matcher(line.substring(open + 1, close)).replaceAll("");
          out.merge(group, ticks(line), Double::sum);
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** {@link #byThreadGroup(long)} summed over several processes. */
  static Map<String, Double> byThreadGroup(List<Long> pids) {
    Map<String, Double> sum = new HashMap<>();
    for (long pid : pids) {
      byThreadGroup(pid).forEach((k, v) -> sum.merge(k, v, Double::sum));
    }
    return sum;
  }

  /** The {@code n} busiest thread groups, busiest first, as "name seconds". */
  static String top(Map<String, Double> groups, int n) {
    return groups.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(n)
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static final Pattern TRAILING_NUMBER = Pattern.compile("[-#.]?[0-9]+$");

  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  private static double ticks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return 0;
    }
    String[] f = SPACES.split(stat.substring(close + 2), -1);
    return f.length < 13 ? 0 : (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }

  /** Busy and total CPU seconds of the whole machine since boot (all cores). */
  record Machine(double busy, double total) {}

  static Machine machine() {
    for (String line : read(Path.of("/proc/stat")).lines().toList()) {
      if (line.startsWith("cpu ")) {
        String[] f = SPACES.split(line.trim(), -1);
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
          total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new Machine((total - idle) / TICKS_PER_SECOND, total / TICKS_PER_SECOND);
      }
    }
    return new Machine(0, 0);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}

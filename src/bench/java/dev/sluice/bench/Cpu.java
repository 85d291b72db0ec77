package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

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
    String line = read(Path.of("/proc", Long.toString(pid), "stat"));
    int close = line.lastIndexOf(')');
    if (close < 0) {
      return 0;
    }
    // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
    String[] f = SPACES.split(line.substring(close + 2), -1);
    if (f.length < 13) {
      return 0;
    }
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
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

package dev.sluice.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The {@code SLUICE_*} settings of the benchmark's or the fault harness's own environment (the
 * headers of bench/run and bench/faults): every Sluice either starts gets them over its own, and
 * both print them at the top of a run. The test database's admin URL is not one of them.
 */
public final class OperatorSettings {

  private OperatorSettings() {}

  /** {@code settings} with the environment's {@code SLUICE_*} settings put over them. */
  public static Map<String, String> over(Map<String, String> settings) {
    settings.putAll(given());
    return settings;
  }

  /** "none", or each name and value; the values of keys and secrets show as "(set)". */
  public static String line() {
    Map<String, String> given = given();
    return given.isEmpty()
        ? "none"
        : given.entrySet().stream()
            .map(e -> e.getKey() + "=" + (secret(e.getKey()) ? "(set)" : e.getValue()))
            .collect(Collectors.joining(" "));
  }

  private static boolean secret(String name) {
    return name.contains("KEY") || name.contains("SECRET");
  }

  private static Map<String, String> given() {
    Map<String, String> given = new TreeMap<>();
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith("SLUICE_") && !k.equals("SLUICE_TEST_ADMIN_URL")) {
                given.put(k, v);
              }
            });
    return given;
  }
}

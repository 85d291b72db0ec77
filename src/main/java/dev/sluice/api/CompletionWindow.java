package dev.sluice.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A completion window as people write it: a whole number and a unit, {@code 90s}, {@code 30m},
 * {@code 24h} or {@code 7d}, from one second to {@link #MAX_DAYS} days. Both the native API ({@code
 * completionWindow}) and the OpenAI Batch API ({@code completion_window}) read it here.
 */
public final class CompletionWindow {

  /** The longest window Sluice accepts, in days. */
  public static final int MAX_DAYS = 365;

  /** How the rule reads in an error message. */
  public static final String RULE =
      "must be a whole number and a unit s, m, h or d, such as \"24h\", from 1s to "
          + MAX_DAYS
          + "d";

  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})([smhd])");

  private CompletionWindow() {}

  /** The window's length, or empty when the text is not a window Sluice accepts. */
  public static Optional<Duration> parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    boolean inRange = !d.isZero() && d.compareTo(Duration.ofDays(MAX_DAYS)) <= 0;
    return inRange ? Optional.of(d) : Optional.empty();
  }
}

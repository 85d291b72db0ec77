package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.app.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowSizeTest {

  private static final BatchSettings DEFAULTS = Settings.load(List.of(), Map.of()).batch();

  @ParameterizedTest(name = "concurrency {0} reads {1} pending items at a time")
  @DisplayName(
      "A runner's window is the setting (500), at most sixteen rounds of its slots, at least two")
  @CsvSource({
    "1, 16",
    "2, 32",
    "8, 128",
    "31, 496",
    "32, 500",
    "64, 500",
    "250, 500",
    "1024, 2048"
  })
  void windowFollowsConcurrency(int concurrency, int window) {
    assertThat(Dispatcher.windowSize(DEFAULTS, concurrency)).isEqualTo(window);
  }
}

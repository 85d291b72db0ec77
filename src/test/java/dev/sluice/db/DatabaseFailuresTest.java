package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which failures mean the database cannot be reached, and which are something else. */
class DatabaseFailuresTest {

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("connection refused", new ConnectException("Connection refused"), true),
        Arguments.of(
            "refused, wrapped twice",
            new CompletionException(new IllegalStateException(new ConnectException("refused"))),
            true),
        Arguments.of("a closed connection", ClosedConnectionException.INSTANCE, true),
        Arguments.of(
            "a write to a connection the server closed", new IOException("Broken pipe"), true),
        Arguments.of("another I/O failure", new IOException("No space left on device"), false),
        Arguments.of("pool acquire timeout", new VertxException("Timeout", true), true),
        Arguments.of(
            "pool queue timeout", new VertxException("Timeout waiting for connection", true), true),
        Arguments.of("admin shutdown (57P01)", pg("57P01"), true),
        Arguments.of("cannot connect now (57P03)", pg("57P03"), true),
        Arguments.of("too many connections (53300)", pg("53300"), true),
        Arguments.of("connection failure (08006)", pg("08006"), true),
        Arguments.of("a unique violation (23505)", pg("23505"), false),
        Arguments.of("a syntax error (42601)", pg("42601"), false),
        Arguments.of(
            "an event-bus timeout", new ReplyException(ReplyFailure.TIMEOUT, "Timeout"), false),
        Arguments.of("a bug", new NullPointerException("x"), false));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("failures")
  @DisplayName("Failures that mean the database is unreachable are told from the rest")
  void classifies(String what, Throwable failure, boolean unavailable) {
    assertThat(DatabaseFailures.isUnavailable(failure)).isEqualTo(unavailable);
  }

  private static PgException pg(String state) {
    return new PgException("message", "FATAL", state, null);
  }
}

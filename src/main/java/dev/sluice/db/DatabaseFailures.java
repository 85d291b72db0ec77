package dev.sluice.db;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Tells failures that mean "the database cannot be reached right now" — connection refused, reset
 * or closed, a connect or pool-acquire timeout, PostgreSQL shutting down or out of connections —
 * from every other failure, looking through causes. Such a failure is worth retrying later; any
 * other is a bug or bad data.
 */
public final class DatabaseFailures {

  /** SQLSTATEs outside class 08 that mean the server is going away or cannot take a connection. */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

  /** How deep to follow causes; a cycle or a very long chain ends the search. */
  private static final int MAX_DEPTH = 16;

  private DatabaseFailures() {}

  /** Whether the failure, or any of its causes, says the database is unreachable. */
  public static boolean isUnavailable(@Nullable Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (isConnectionClosed(t)
          || t instanceof ConnectException
          || t instanceof UnknownHostException
          || isUnavailableState(t)
          || isAcquireTimeout(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the failure, or any of its causes, is a connection that was closed under the caller (a
   * pooled connection left over from before the database restarted): the one case in which a read
   * is worth trying again at once, on a new connection.
   */
  public static boolean isClosedConnection(@Nullable Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (isConnectionClosed(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isConnectionClosed(Throwable t) {
    return t instanceof ClosedConnectionException
        || t instanceof ClosedChannelException
        || (t instanceof SocketException && !(t instanceof ConnectException))
        || String.valueOf(t.getMessage()).contains("Connection reset")
        // A write to a connection the server (or a cut network) closed, before the client noticed.
        || (t instanceof IOException && "Broken pipe".equals(t.getMessage()))
        // What the SQL client says of a command given to a pooled connection that has closed.
        || String.valueOf(t.getMessage()).startsWith("Connection is not active now");
  }

  private static boolean isUnavailableState(Throwable t) {
    if (!(t instanceof PgException pg) || pg.getSqlState() == null) {
      return false;
    }
    String state = pg.getSqlState();
    return state.startsWith("08") || UNAVAILABLE_STATES.contains(state);
  }

  /** The pool's "no connection in time" failures (Vert.x SQL client 5 raises these two). */
  private static boolean isAcquireTimeout(Throwable t) {
    if (!(t instanceof VertxException) || t instanceof ReplyException) {
      return false;
    }
    String message = String.valueOf(t.getMessage());
    return message.equals("Timeout") || message.equals("Timeout waiting for connection");
  }
}

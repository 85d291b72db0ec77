package dev.sluice.observe;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** The end of a process's logging: lines still queued for standard output are written first. */
public final class Logs {

  private Logs() {}

  /**
   * Stops logging for this process, writing every line still queued (the shipped configuration
   * writes through an asynchronous appender). Called last, as the process exits.
   */
  public static void flushAndStop() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }
}

package dev.sluice.app;

/** A setting is unknown or invalid; the message is one sentence for the operator. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}

package dev.sluice.batch;

/** A batch that cannot be run as asked, naming the field at fault (the edge answers 422). */
public final class InvalidBatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidBatchException(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }
}

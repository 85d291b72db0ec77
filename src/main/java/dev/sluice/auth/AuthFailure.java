package dev.sluice.auth;

/**
 * A request that is not let through: 401 (no usable credentials), 403 (not allowed) or 429 (too
 * many requests), with one sentence of detail. Carries no stack trace; never carries the token.
 */
public final class AuthFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final long retryAfterSeconds;

  private AuthFailure(int status, String detail, long retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static AuthFailure unauthorized(String detail) {
    return new AuthFailure(401, detail, 0);
  }

  public static AuthFailure forbidden(String detail) {
    return new AuthFailure(403, detail, 0);
  }

  public static AuthFailure tooMany(String detail, long retryAfterSeconds) {
    return new AuthFailure(429, detail, retryAfterSeconds);
  }

  public int status() {
    return status;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public String detail() {
    return String.valueOf(getMessage());
  }
}

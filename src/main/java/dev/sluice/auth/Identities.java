package dev.sluice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jspecify.annotations.Nullable;

/**
 * Turns a bearer token into a principal: the operator's admin key (compared as HMACs, in constant
 * time), a stored API key (looked up by its HMAC on every request, so revocation is immediate), or
 * a JWT from the single sign-on. Anything else is an {@link AuthFailure}.
 */
public final class Identities {

  /** The principal of {@code SLUICE_ADMIN_KEY}. */
  static final Principal OPERATOR = new Principal("admin", Role.ADMIN, "admin");

  private final KeyStore keys;
  private final KeyHasher hasher;
  private final byte @Nullable [] adminKeyHash;
  private final @Nullable JwtVerifier jwt;

  public Identities(Vertx vertx, AuthSettings settings, KeyStore keys, KeyHasher hasher) {
    this.keys = keys;
    this.hasher = hasher;
    this.adminKeyHash = settings.adminKey().isEmpty() ? null : hasher.hash(settings.adminKey());
    this.jwt = settings.jwt().configured() ? new JwtVerifier(vertx, settings.jwt()) : null;
  }

  /** The principal this token proves, or a failed future with an {@link AuthFailure}. */
  public Future<Principal> identify(String token) {
    if (token.startsWith(KeyHasher.PREFIX)) {
      if (adminKeyHash != null && KeyHasher.same(adminKeyHash, hasher.hash(token))) {
        return Future.succeededFuture(OPERATOR);
      }
      return keys.find(token)
          .compose(
              found ->
                  found.isPresent()
                      ? Future.succeededFuture(found.get().principal())
                      : Future.failedFuture(
                          AuthFailure.unauthorized("The API key is unknown or was revoked.")));
    }
    if (adminKeyHash != null && KeyHasher.same(adminKeyHash, hasher.hash(token))) {
      return Future.succeededFuture(OPERATOR);
    }
    if (jwt != null && token.chars().filter(c -> c == '.').count() == 2) {
      return jwt.verify(token);
    }
    return Future.failedFuture(
        AuthFailure.unauthorized(
            "The bearer token is neither an API key (sk-sluice-…) nor a token Sluice accepts."));
  }
}

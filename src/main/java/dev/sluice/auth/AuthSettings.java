package dev.sluice.auth;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How requests prove who they are and how much each principal may ask: the operator's admin key,
 * the secret API keys are hashed with, the single sign-on's JWT settings, the request rate per
 * principal and the live batches per owner. Authentication is on when {@code required} is set or
 * any way to authenticate is configured.
 *
 * @param adminKey the operator's admin key ({@code SLUICE_ADMIN_KEY}); empty for none
 * @param keySecret the HMAC secret stored API keys are hashed with; empty hashes with a fixed label
 * @param ratePerMinute requests one principal may send per minute; 0 for no limit
 * @param maxLiveBatchesPerOwner running or paused batches one owner may have; 0 for no limit
 */
public record AuthSettings(
    boolean required,
    String adminKey,
    String keySecret,
    Jwt jwt,
    int ratePerMinute,
    int maxLiveBatchesPerOwner) {

  /**
   * The single sign-on's tokens: who issues them, for whom, the keys that sign them (an HS256
   * secret, PEM public keys, a JWKS), the claim holding roles, and the clock skew allowed.
   */
  public record Jwt(
      String issuer,
      String audience,
      String secret,
      List<String> publicKeysPem,
      List<JsonObject> jwks,
      String rolesClaim,
      int leewaySeconds) {

    public Jwt {
      publicKeysPem = List.copyOf(publicKeysPem);
      jwks = List.copyOf(jwks);
    }

    /** Leaves the secret out, so settings can be logged. */
    @Override
    public String toString() {
      return "Jwt[issuer=" + issuer + ", audience=" + audience + ", rolesClaim=" + rolesClaim + "]";
    }

    /** Whether any key to check a token's signature is configured. */
    public boolean configured() {
      return !secret.isEmpty() || !publicKeysPem.isEmpty() || !jwks.isEmpty();
    }
  }

  /** Leaves the keys and secrets out, so settings can be logged. */
  @Override
  public String toString() {
    return "AuthSettings[enabled=" + enabled() + ", jwt=" + jwt + "]";
  }

  /** Whether every API route needs a bearer token. */
  public boolean enabled() {
    return required || !adminKey.isEmpty() || jwt.configured();
  }

  /** No authentication: the open loopback mode. */
  public static AuthSettings open() {
    return new AuthSettings(
        false, "", "", new Jwt("", "", "", List.of(), List.of(), "roles", 30), 0, 0);
  }
}

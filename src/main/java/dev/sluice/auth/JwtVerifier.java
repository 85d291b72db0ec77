package dev.sluice.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Checks the single sign-on's tokens with vertx-auth-jwt: the signature with one of the configured
 * keys (the algorithm comes from the key, never from the token alone, so {@code alg: none} and an
 * HS256 token signed with a public key are refused), then {@code exp}, {@code nbf}, {@code iss} and
 * {@code aud} with a small clock skew. The owner is {@code sub}; the roles claim naming {@code
 * sluice:admin} makes an admin.
 */
final class JwtVerifier {

  static final String ADMIN_ROLE = "sluice:admin";

  private final JWTAuth jwt;
  private final AuthSettings.Jwt settings;

  JwtVerifier(Vertx vertx, AuthSettings.Jwt settings) {
    this.settings = settings;
    JWTOptions options = new JWTOptions().setLeeway(settings.leewaySeconds());
    if (!settings.issuer().isEmpty()) {
      options.setIssuer(settings.issuer());
    }
    if (!settings.audience().isEmpty()) {
      options.setAudience(List.of(settings.audience()));
    }
    JWTAuthOptions auth = new JWTAuthOptions().setJWTOptions(options);
    if (!settings.secret().isEmpty()) {
      auth.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.secret()));
    }
    for (String pem : settings.publicKeysPem()) {
      auth.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithmOf(pem)).setBuffer(pem));
    }
    settings.jwks().forEach(auth::addJwk);
    this.jwt = JWTAuth.create(vertx, auth);
  }

  /**
   * RS256 for an RSA public key, ES256 for an EC one.
   *
   * @throws IllegalArgumentException when the PEM holds neither
   */
  static String algorithmOf(String pem) {
    String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("it is not a PEM public key", e);
    }
    for (String[] kind : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(kind[0]).generatePublic(new X509EncodedKeySpec(der));
        return kind[1];
      } catch (java.security.GeneralSecurityException e) {
        // try the next kind
      }
    }
    throw new IllegalArgumentException("it is neither an RSA nor an EC public key");
  }

  /** The principal the token names, or an {@link AuthFailure} saying why it is refused. */
  Future<Principal> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(AuthFailure.unauthorized(reason(e))))
        .compose(
            user -> {
              JsonObject claims = user.attributes().getJsonObject("accessToken", new JsonObject());
              if (user.expired(settings.leewaySeconds())) {
                return Future.failedFuture(
                    AuthFailure.unauthorized("The token has expired or is not valid yet."));
              }
              Object sub = claims.getValue("sub");
              if (!(sub instanceof String owner)
                  || owner.isBlank()
                  || owner.length() > 200
                  || Principal.reserved(owner)) {
                return Future.failedFuture(
                    AuthFailure.unauthorized("The token names no subject (sub) to act as."));
              }
              Role role = admin(claims.getValue(settings.rolesClaim())) ? Role.ADMIN : Role.FACULTY;
              Object name = claims.getValue("name");
              return Future.succeededFuture(
                  new Principal(owner, role, name instanceof String n && !n.isBlank() ? n : owner));
            });
  }

  private static boolean admin(Object roles) {
    if (roles instanceof JsonArray array) {
      return array.contains(ADMIN_ROLE);
    }
    if (roles instanceof String text) {
      return List.of(text.split("[\\s,]+")).contains(ADMIN_ROLE);
    }
    return false;
  }

  /** Why the library refused the token, in words that reveal nothing about the keys. */
  private static String reason(Throwable e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (message.contains("expired")) {
      return "The token has expired.";
    } else if (message.contains("nbf")
        || message.contains("not before")
        || message.contains("before")) {
      return "The token is not valid yet.";
    } else if (message.contains("issuer")) {
      return "The token was issued by an issuer Sluice does not accept.";
    } else if (message.contains("audience") || message.contains("aud")) {
      return "The token is meant for another audience.";
    }
    return "The token is not signed by a key Sluice accepts, or is not a well-formed JWT.";
  }
}

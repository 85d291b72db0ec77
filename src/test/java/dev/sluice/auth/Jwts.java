package dev.sluice.auth;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Mints JWTs as a single sign-on would, with keys made in the test: HS256, RS256, ES256. */
final class Jwts {

  static final String SECRET = "a-test-secret-of-at-least-thirty-two-characters";
  static final String ISSUER = "https://sso.example.edu/";
  static final String AUDIENCE = "sluice";

  static final KeyPair RSA = pair("RSA", null);
  static final KeyPair EC = pair("EC", "secp256r1");

  private Jwts() {}

  /** Claims a valid token carries: subject, issuer, audience, issued now, valid for an hour. */
  static JsonObject claims(String sub) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject()
        .put("sub", sub)
        .put("iss", ISSUER)
        .put("aud", AUDIENCE)
        .put("iat", now)
        .put("nbf", now - 5)
        .put("exp", now + 3600);
  }

  static String hs256(JsonObject claims, String secret) {
    String input = signingInput("HS256", claims);
    return input + "." + b64(hmac(secret.getBytes(StandardCharsets.UTF_8), input));
  }

  /** An HS256 token whose HMAC key is the given bytes (an RSA public key's PEM, say). */
  static String hs256WithKeyBytes(JsonObject claims, byte[] key) {
    String input = signingInput("HS256", claims);
    return input + "." + b64(hmac(key, input));
  }

  static String rs256(JsonObject claims, PrivateKey key) {
    return signed("RS256", "SHA256withRSA", claims, key);
  }

  static String es256(JsonObject claims, PrivateKey key) {
    return signed("ES256", "SHA256withECDSAinP1363Format", claims, key);
  }

  /** A private key no test configures Sluice with. */
  static PrivateKey otherRsaKey() {
    return pair("RSA", null).getPrivate();
  }

  static String none(JsonObject claims) {
    return signingInput("none", claims) + ".";
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** Writes both public keys as PEM files and returns their paths, comma-separated. */
  static String publicKeyFiles() {
    try {
      Path dir = Files.createTempDirectory("sluice-jwt");
      Path rsa = Files.writeString(dir.resolve("rsa.pem"), pem(RSA.getPublic()));
      Path ec = Files.writeString(dir.resolve("ec.pem"), pem(EC.getPublic()));
      rsa.toFile().deleteOnExit();
      ec.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return rsa + "," + ec;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String signed(String alg, String jca, JsonObject claims, PrivateKey key) {
    String input = signingInput(alg, claims);
    try {
      Signature signature = Signature.getInstance(jca);
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String signingInput(String alg, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    return b64(header.encode().getBytes(StandardCharsets.UTF_8))
        + "."
        + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(byte[] key, String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static KeyPair pair(String algorithm, String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (curve != null) {
        generator.initialize(new ECGenParameterSpec(curve));
      } else {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes API keys and hashes them. A key is {@code sk-sluice-} and 32 random bytes in base64url, so
 * secret scanners can spot a leaked one; only its HMAC-SHA256 under the server's key secret is
 * stored (docs/decisions.md, "API keys are stored as an HMAC").
 */
public final class KeyHasher {

  /** The prefix of every key Sluice issues. */
  public static final String PREFIX = "sk-sluice-";

  /** Used as the HMAC key when no key secret is configured. */
  private static final String NO_SECRET = "sluice-api-key-v1";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec secret;

  public KeyHasher(String keySecret) {
    String material = keySecret.isEmpty() ? NO_SECRET : keySecret;
    this.secret = new SecretKeySpec(material.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** A new secret key. */
  public static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A new public key id, safe to show and log. */
  public static String newId() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return "key_" + HexFormat.of().formatHex(bytes);
  }

  /** The stored form of a key. */
  public byte[] hash(String key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(secret);
      return mac.doFinal(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** Whether two hashes are equal, in time that does not depend on where they differ. */
  public static boolean same(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}

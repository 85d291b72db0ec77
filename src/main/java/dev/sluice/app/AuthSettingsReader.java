package dev.sluice.app;

import dev.sluice.auth.AuthSettings;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads the authentication and abuse-limit settings, with the key files they name, and holds the
 * rule that Sluice serves a non-loopback address only with authentication on.
 */
final class AuthSettingsReader {

  /** Reads an integer setting within bounds. */
  interface Ints {
    int read(SettingName name, int min, int max);
  }

  private AuthSettingsReader() {}

  static AuthSettings read(
      Function<SettingName, String> text, Ints ints, Predicate<SettingName> bool) {
    String jwks = text.apply(SettingName.JWT_JWKS_FILE);
    AuthSettings.Jwt jwt =
        new AuthSettings.Jwt(
            text.apply(SettingName.JWT_ISSUER),
            text.apply(SettingName.JWT_AUDIENCE),
            text.apply(SettingName.JWT_SECRET),
            publicKeys(text.apply(SettingName.JWT_PUBLIC_KEYS)),
            jwks.isEmpty() ? List.of() : jwks(jwks),
            text.apply(SettingName.JWT_ROLES_CLAIM),
            ints.read(SettingName.JWT_LEEWAY_SECONDS, 0, 600));
    if (!jwt.secret().isEmpty() && jwt.secret().length() < 32) {
      throw new ConfigException(
          "Setting auth.jwt.secret (SLUICE_JWT_SECRET) must be at least 32 characters long.");
    }
    if (jwt.rolesClaim().isEmpty()) {
      throw new ConfigException(
          "Setting auth.jwt.roles-claim (SLUICE_JWT_ROLES_CLAIM) must name a claim.");
    }
    String adminKey = text.apply(SettingName.ADMIN_KEY);
    if (!adminKey.isEmpty() && adminKey.length() < 24) {
      throw new ConfigException(
          "Setting auth.admin-key (SLUICE_ADMIN_KEY) must be at least 24 characters long; make"
              + " one with: java -jar sluice.jar keys generate");
    }
    return new AuthSettings(
        bool.test(SettingName.AUTH_REQUIRED),
        adminKey,
        text.apply(SettingName.KEY_SECRET),
        jwt,
        ints.read(SettingName.RATE_LIMIT_PER_MINUTE, 0, 100_000_000),
        ints.read(SettingName.MAX_LIVE_BATCHES_PER_OWNER, 0, 100_000_000));
  }

  /** Refuses to serve a non-loopback address without authentication, in one sentence. */
  static void requireAuthOffLoopback(String host, AuthSettings auth) {
    if (!auth.enabled() && !loopback(host)) {
      throw new ConfigException(
          "Sluice will not serve "
              + host
              + " without authentication: set SLUICE_ADMIN_KEY (or the SLUICE_JWT_* settings),"
              + " or bind a loopback address with SLUICE_HTTP_HOST=127.0.0.1.");
    }
  }

  static boolean loopback(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.equals("localhost")) {
      return true;
    }
    if (!name.matches("[0-9.]+|\\[?[0-9a-f:]+]?")) {
      return false; // a name other than localhost may resolve anywhere
    }
    try {
      return InetAddress.getByName(name).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static List<String> publicKeys(String paths) {
    List<String> pems = new ArrayList<>();
    for (String path : paths.split(",", -1)) {
      if (!path.isBlank()) {
        pems.add(readFile(path.trim(), "auth.jwt.public-keys (SLUICE_JWT_PUBLIC_KEYS)"));
      }
    }
    return pems;
  }

  private static List<JsonObject> jwks(String path) {
    String text = readFile(path, "auth.jwt.jwks-file (SLUICE_JWT_JWKS_FILE)");
    try {
      JsonArray keys = new JsonObject(text).getJsonArray("keys");
      List<JsonObject> out = new ArrayList<>();
      if (keys != null) {
        keys.forEach(k -> out.add((JsonObject) k));
      }
      if (out.isEmpty()) {
        throw new ConfigException("The JWKS file " + path + " holds no keys.");
      }
      return out;
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("The JWKS file " + path + " is not a JSON key set.");
    }
  }

  private static String readFile(String path, String setting) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "Setting " + setting + " names " + path + ", which cannot be read.");
    }
  }
}

package dev.sluice.app;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** A PostgreSQL location written as {@code postgresql://user[:password]@host[:port]/database}. */
public record DatabaseUrl(
    String host, int port, String database, String user, @Nullable String password) {

  /** Parses the URL form operators write in {@code DATABASE_URL}. */
  public static DatabaseUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw bad();
    }
    String scheme = uri.getScheme();
    String path = uri.getRawPath();
    if (!("postgresql".equals(scheme) || "postgres".equals(scheme))
        || uri.getHost() == null
        || path == null
        || path.length() < 2) {
      throw bad();
    }
    String user = "postgres";
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    return new DatabaseUrl(uri.getHost(), port, decode(path.substring(1)), user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** The same server, another database on it. */
  public DatabaseUrl withDatabase(String name) {
    return new DatabaseUrl(host, port, name, user, password);
  }

  @Override
  public String toString() {
    String auth = password == null ? user : user + ":" + password;
    return "postgresql://" + auth + "@" + host + ":" + port + "/" + database;
  }

  /** The URL with the password hidden, for logs. */
  public String redacted() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static ConfigException bad() {
    return new ConfigException(
        "DATABASE_URL must look like postgresql://user@host:5432/database"
            + " (the value given is not of that form).");
  }
}

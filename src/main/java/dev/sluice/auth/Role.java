package dev.sluice.auth;

import java.util.Locale;
import java.util.Optional;

/** What a principal may do: a faculty member steers their own batches, an admin steers all. */
public enum Role {
  FACULTY,
  ADMIN;

  /** The role as written in the API, the database and the CLI. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role with this wire name, if there is one. */
  public static Optional<Role> parse(String wire) {
    for (Role role : values()) {
      if (role.wire().equals(wire)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}

package dev.sluice.auth;

import io.vertx.ext.web.RoutingContext;
import org.jspecify.annotations.Nullable;

/**
 * Who sent a request: the owner whose batches it acts on, its role, and a name to show. Every route
 * under {@code /api} and {@code /v1} reads it with {@link #of}; the authentication handler put it
 * there before any route ran.
 */
public record Principal(String owner, Role role, String name) {

  /** The single owner of the open loopback mode, where no authentication is configured. */
  public static final Principal LOCAL = new Principal("local", Role.FACULTY, "local");

  private static final String KEY = "sluice.principal";

  /** The principal of this request; a route outside the authenticated prefixes has none. */
  public static Principal of(RoutingContext ctx) {
    Principal principal = ctx.get(KEY);
    if (principal == null) {
      throw new IllegalStateException("no principal on " + ctx.request().path());
    }
    return principal;
  }

  void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  /** Whether no principal may take this owner name: it names Sluice itself in the history. */
  public static boolean reserved(String owner) {
    return owner.equals("system");
  }

  public boolean admin() {
    return role == Role.ADMIN;
  }

  /** The only owner whose batches this principal may see and steer, or null for every owner. */
  public @Nullable String scope() {
    return admin() ? null : owner;
  }

  /** Who this principal is in a batch's history: its owner name. */
  public String actor() {
    return owner;
  }
}

package dev.sluice.auth;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The router handler in front of {@code /api/*} and {@code /v1/*}: with authentication off every
 * request acts as {@link Principal#LOCAL}; with it on, a request needs {@code Authorization: Bearer
 * <token>} naming a principal ({@link Identities}), and each principal is held to its request rate
 * ({@link RateLimiter}). Routes read the principal with {@link Principal#of}. Tokens never reach a
 * log line.
 */
public final class Authenticator implements Handler<RoutingContext> {

  private final boolean enabled;
  private final @Nullable Identities identities;
  private final RateLimiter limiter;

  private Authenticator(boolean enabled, @Nullable Identities identities, RateLimiter limiter) {
    this.enabled = enabled;
    this.identities = identities;
    this.limiter = limiter;
  }

  /** Every request is the local owner: the open loopback mode. */
  public static Authenticator open() {
    return new Authenticator(false, null, new RateLimiter(0));
  }

  /** Every request proves who it is; each principal sends at most its rate. */
  public static Authenticator required(Identities identities, RateLimiter limiter) {
    return new Authenticator(true, identities, limiter);
  }

  public boolean enabled() {
    return enabled;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!enabled || identities == null) {
      Principal.LOCAL.attach(ctx);
      ctx.next();
      return;
    }
    String token = bearer(ctx.request().getHeader("Authorization"));
    if (token == null) {
      Denials.send(
          ctx,
          AuthFailure.unauthorized(
              "This route needs an Authorization: Bearer header with an API key or a token."));
      return;
    }
    // Held while the credential is checked, so the body handler after this one still reads it;
    // let go once the answer is sent, so a body nothing read (a refusal, a route that takes none)
    // is drained instead of stalling the connection's next request.
    ctx.request().pause();
    ctx.addEndHandler(ended -> ctx.request().resume());
    identities
        .identify(token)
        .onSuccess(principal -> admit(ctx, principal))
        .onFailure(e -> refuse(ctx, e));
  }

  private void admit(RoutingContext ctx, Principal principal) {
    long wait = limiter.take(principal.role().wire() + ":" + principal.owner());
    if (wait > 0) {
      Denials.send(
          ctx,
          AuthFailure.tooMany(
              "Too many requests from " + principal.owner() + "; try again in " + wait + " s.",
              wait));
      return;
    }
    principal.attach(ctx);
    ctx.next();
  }

  private static void refuse(RoutingContext ctx, Throwable e) {
    if (e instanceof AuthFailure failure) {
      Denials.send(ctx, failure);
    } else {
      ctx.fail(e); // the key store is away: the failure handler answers 503 or 500
    }
  }

  private static @Nullable String bearer(@Nullable String header) {
    if (header == null || header.length() < 8) {
      return null;
    }
    if (!header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() || token.length() > 8192 ? null : token;
  }

  /** Lets only admins through; mount after the authenticator. */
  public static void adminOnly(RoutingContext ctx) {
    if (Principal.of(ctx).admin()) {
      ctx.next();
    } else {
      Denials.send(ctx, AuthFailure.forbidden("This route is for admins only."));
    }
  }
}

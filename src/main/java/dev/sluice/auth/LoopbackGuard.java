package dev.sluice.auth;

import dev.sluice.http.Problem;
import dev.sluice.http.Problems;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The open loopback mode's two guards, for when no authentication is configured and anything the
 * person's browser runs could reach Sluice. A request whose {@code Host} is not a loopback name is
 * refused, so a foreign site rebinding its DNS name to 127.0.0.1 cannot read the API. A {@code
 * POST} under {@code /api} or {@code /v1} must carry a JSON or NDJSON content type, an {@code
 * Authorization} header or an {@code X-Sluice-Client} header: none of these can be sent cross-site
 * without the browser asking Sluice first (which Sluice never allows), so a foreign page cannot
 * pause or cancel batches through a form or a plain fetch. Other methods that change something
 * (PUT, PATCH, DELETE) cannot be sent cross-site without that question at all.
 */
public final class LoopbackGuard {

  /** A header any client may send to mark a request as not coming from a foreign page. */
  public static final String CLIENT_HEADER = "X-Sluice-Client";

  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

  private LoopbackGuard() {}

  /** Refuses a foreign {@code Host}; mount on every route. */
  public static void host(RoutingContext ctx) {
    if (loopbackHost(ctx.request().getHeader("Host"))) {
      ctx.next();
      return;
    }
    Problems.send(
        ctx,
        new Problem(
            403,
            "untrusted-host",
            "Host not allowed",
            "Without authentication Sluice answers only requests addressed to localhost or"
                + " 127.0.0.1."));
  }

  /** Refuses a state-changing request a foreign page could have sent; mount on the API. */
  public static void sameOrigin(RoutingContext ctx) {
    if (!ctx.request().method().equals(HttpMethod.POST) || declared(ctx)) {
      ctx.next();
      return;
    }
    // Failed, not sent: under /v1 the refusal is written in OpenAI's error shape.
    ctx.fail(
        new Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "A POST needs Content-Type: application/json (or application/x-ndjson), an"
                + " Authorization header, or an X-Sluice-Client header, so that no other web page"
                + " can send it."));
  }

  private static boolean declared(RoutingContext ctx) {
    if (ctx.request().getHeader(CLIENT_HEADER) != null
        || ctx.request().getHeader("Authorization") != null) {
      return true;
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type == null) {
      return false;
    }
    String media = type.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
    return media.equals("application/json")
        || media.equals("application/x-ndjson")
        || media.equals("application/jsonl");
  }

  static boolean loopbackHost(@Nullable String host) {
    if (host == null) {
      return false;
    }
    String name = host.toLowerCase(Locale.ROOT).trim();
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf(']')) {
      name = name.substring(0, colon);
    }
    return LOOPBACK_NAMES.contains(name) || name.matches("127(\\.\\d{1,3}){3}");
  }
}

package dev.sluice.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses a form or multipart content type on a method that carries no form (GET, HEAD, OPTIONS and
 * the like) with a 415, before the body handler, which cannot decode such a request and would
 * otherwise fail it as an error of Sluice's.
 */
public final class FormBodies implements PlatformHandler {

  private static final Set<HttpMethod> WITH_FORMS =
      Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

  @Override
  public void handle(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || WITH_FORMS.contains(ctx.request().method())) {
      ctx.next();
      return;
    }
    String media = type.toLowerCase(Locale.ROOT);
    if (media.startsWith("multipart/") || media.startsWith("application/x-www-form-urlencoded")) {
      ctx.fail(
          new Problem(
              415,
              "unsupported-media-type",
              "Unsupported media type",
              "A "
                  + ctx.request().method().name()
                  + " request carries no form; send it without"
                  + " a form content type."));
      return;
    }
    ctx.next();
  }
}

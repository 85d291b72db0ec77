package dev.sluice.auth;

import dev.sluice.http.JsonBody;
import dev.sluice.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;

/**
 * {@code /api/keys}, for admins: create a key ({@code POST}, the secret shown once), list keys
 * without their secrets ({@code GET}), revoke one ({@code DELETE /api/keys/{id}}, at once on every
 * node).
 */
public final class KeyRoutes {

  private static final String BASE = "/api/keys";
  private static final int MAX_TEXT = 200;

  private final KeyStore keys;

  public KeyRoutes(KeyStore keys) {
    this.keys = keys;
  }

  public void mount(Router router) {
    router.route(BASE).handler(Authenticator::adminOnly);
    router.route(BASE + "/*").handler(Authenticator::adminOnly);
    router.post(BASE).handler(this::create);
    router.get(BASE).handler(this::list);
    router.delete(BASE + "/:keyId").handler(this::revoke);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = JsonBody.optional(ctx);
    if (body == null) {
      throw Problem.badRequest(
          "The request needs a JSON body: {\"owner\": \"alice\", \"role\": \"faculty\"}.");
    }
    String owner = text(body, "owner", true);
    if (Principal.reserved(owner)) {
      throw Problem.invalid("owner", "'" + owner + "' is reserved for Sluice itself.");
    }
    Object rawRole = body.getValue("role", "faculty");
    Role role =
        rawRole instanceof String r
            ? Role.parse(r).orElseThrow(() -> Problem.invalid("role", "must be faculty or admin."))
            : null;
    if (role == null) {
      throw Problem.invalid("role", "must be faculty or admin.");
    }
    String name = text(body, "name", false);
    keys.create(owner, role, name)
        .onSuccess(
            created ->
                ctx.response()
                    .setStatusCode(201)
                    .putHeader("Content-Type", "application/json")
                    .end(created.key().toJson().put("key", created.secret()).encode()))
        .onFailure(ctx::fail);
  }

  private static String text(JsonObject body, String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null && !required) {
      return "";
    }
    if (!(value instanceof String text) || (required && text.isBlank())) {
      throw Problem.invalid(field, required ? "must be a non-empty string." : "must be a string.");
    }
    if (text.length() > MAX_TEXT || text.chars().anyMatch(Character::isISOControl)) {
      throw Problem.invalid(
          field, "must be at most " + MAX_TEXT + " characters, without control characters.");
    }
    return text;
  }

  private void list(RoutingContext ctx) {
    keys.list()
        .onSuccess(
            all -> {
              JsonArray data = new JsonArray();
              all.forEach(k -> data.add(k.toJson()));
              ctx.response()
                  .putHeader("Content-Type", "application/json")
                  .end(new JsonObject().put("data", data).encode());
            })
        .onFailure(ctx::fail);
  }

  private void revoke(RoutingContext ctx) {
    String id = Objects.requireNonNull(ctx.pathParam("keyId"));
    if (id.length() > MAX_TEXT) {
      throw Problem.notFound("There is no API key " + id.substring(0, 40) + "….");
    }
    keys.revoke(id)
        .onSuccess(
            revoked -> {
              if (revoked.isEmpty()) {
                ctx.fail(Problem.notFound("There is no API key " + id + "."));
              } else {
                ctx.response().setStatusCode(204).end();
              }
            })
        .onFailure(ctx::fail);
  }
}

package dev.sluice.auth;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** A stored API key, without its secret: who it acts as, its name, and when it was revoked. */
public record ApiKey(
    String id,
    String owner,
    Role role,
    String name,
    OffsetDateTime createdAt,
    @Nullable OffsetDateTime revokedAt) {

  /** The key as the API shows it. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("owner", owner)
        .put("role", role.wire())
        .put("name", name)
        .put("createdAt", createdAt.toString())
        .put("revokedAt", revokedAt == null ? null : revokedAt.toString());
  }

  Principal principal() {
    return new Principal(owner, role, name.isEmpty() ? owner : name);
  }
}

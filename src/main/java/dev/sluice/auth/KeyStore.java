package dev.sluice.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The API keys in the database ({@code api_keys}): create, list, revoke, and find the live key with
 * a given secret. Nothing is cached, so a revocation holds at once on every node.
 */
public final class KeyStore {

  private static final String COLUMNS = "id, owner, role, name, created_at, revoked_at";

  private final Pool pool;
  private final KeyHasher hasher;

  public KeyStore(Pool pool, KeyHasher hasher) {
    this.pool = pool;
    this.hasher = hasher;
  }

  /** A key created now: the stored record and the secret, which is shown this once. */
  public record Created(ApiKey key, String secret) {}

  /** Stores a new key for this owner and role. */
  public Future<Created> create(String owner, Role role, String name) {
    String secret = KeyHasher.newKey();
    return pool.preparedQuery(
            "INSERT INTO api_keys (id, key_hash, owner, role, name) VALUES ($1, $2, $3, $4, $5)"
                + " RETURNING "
                + COLUMNS)
        .execute(
            Tuple.of(
                KeyHasher.newId(),
                io.vertx.core.buffer.Buffer.buffer(hasher.hash(secret)),
                owner,
                role.wire(),
                name))
        .map(rows -> new Created(toKey(rows.iterator().next()), secret));
  }

  /** Every key, revoked ones included, oldest first. */
  public Future<List<ApiKey>> list() {
    return pool.query("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id")
        .execute()
        .map(
            rows -> {
              List<ApiKey> keys = new ArrayList<>(rows.size());
              rows.forEach(r -> keys.add(toKey(r)));
              return keys;
            });
  }

  /** Revokes the key; empty when there is no such key (a revoked key stays revoked). */
  public Future<Optional<ApiKey>> revoke(String id) {
    return pool.preparedQuery(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING "
                + COLUMNS)
        .execute(Tuple.of(id))
        .map(
            rows ->
                rows.size() == 0 ? Optional.empty() : Optional.of(toKey(rows.iterator().next())));
  }

  /** The live key with this secret, if there is one. */
  public Future<Optional<ApiKey>> find(String secret) {
    byte[] hash = hasher.hash(secret);
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + ", key_hash FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash)))
        .map(
            rows -> {
              for (Row r : rows) {
                if (KeyHasher.same(hash, r.getBuffer("key_hash").getBytes())) {
                  return Optional.of(toKey(r));
                }
              }
              return Optional.<ApiKey>empty();
            });
  }

  private static ApiKey toKey(Row r) {
    @Nullable OffsetDateTime revoked = r.getOffsetDateTime("revoked_at");
    return new ApiKey(
        r.getString("id"),
        r.getString("owner"),
        Role.parse(r.getString("role")).orElse(Role.FACULTY),
        r.getString("name"),
        r.getOffsetDateTime("created_at"),
        revoked);
  }
}

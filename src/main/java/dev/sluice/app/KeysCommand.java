package dev.sluice.app;

import dev.sluice.auth.ApiKey;
import dev.sluice.auth.KeyHasher;
import dev.sluice.auth.KeyStore;
import dev.sluice.auth.Principal;
import dev.sluice.auth.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java -jar sluice.jar keys …}: creates, lists and revokes API keys straight on the database
 * the settings name, for a first start before any admin can reach the API. {@code keys generate}
 * prints a fresh key for {@code SLUICE_ADMIN_KEY} and touches nothing.
 */
public final class KeysCommand {

  private static final String USAGE =
      "usage: sluice keys create --owner NAME [--role faculty|admin] [--name TEXT]"
          + " | keys list | keys revoke ID | keys generate";

  private final PrintStream out;
  private final PrintStream err;

  private KeysCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command after {@code keys}; the exit status is 0 on success, 2 on a usage error. */
  public static int run(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    return new KeysCommand(out, err).run(args, env);
  }

  private int run(List<String> args, Map<String, String> env) {
    if (args.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    if (args.get(0).equals("generate") && args.size() == 1) {
      out.println(KeyHasher.newKey());
      return 0;
    }
    Request request;
    try {
      request = Request.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("sluice keys: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    SluiceConfig config;
    try {
      config = Settings.load(List.of(), env);
    } catch (ConfigException e) {
      err.println("sluice: " + e.getMessage());
      return 2;
    }
    return onDatabase(config, request);
  }

  private int onDatabase(SluiceConfig config, Request request) {
    try (Database database = Database.open(config.databaseUrl(), config.dataDir())) {
      Vertx vertx = Vertx.vertx();
      try {
        Pool pool = database.pool(vertx, 1, Duration.ofMinutes(1));
        KeyStore keys = new KeyStore(pool, new KeyHasher(config.auth().keySecret()));
        return request.apply(keys, this);
      } finally {
        vertx.close();
      }
    }
  }

  private int created(KeyStore.Created created) {
    ApiKey key = created.key();
    out.println("id:    " + key.id());
    out.println("owner: " + key.owner() + " (" + key.role().wire() + ")");
    out.println("key:   " + created.secret());
    out.println("The key is shown only now; keep it somewhere safe.");
    return 0;
  }

  private int listed(List<ApiKey> keys) {
    for (ApiKey key : keys) {
      out.println(
          String.join(
              "\t",
              key.id(),
              key.owner(),
              key.role().wire(),
              key.name(),
              key.createdAt().toString(),
              key.revokedAt() == null ? "live" : "revoked " + key.revokedAt()));
    }
    return 0;
  }

  private int revoked(String id, boolean found) {
    if (!found) {
      err.println("sluice keys: there is no key " + id + ".");
      return 1;
    }
    out.println("Revoked " + id + "; requests with it are refused from now on.");
    return 0;
  }

  private static <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the database did not answer: " + e.getMessage(), e);
    }
  }

  /** One parsed subcommand. */
  private sealed interface Request {

    int apply(KeyStore keys, KeysCommand command);

    static Request parse(List<String> args) {
      String verb = args.get(0);
      List<String> rest = args.subList(1, args.size());
      return switch (verb) {
        case "create" -> Create.parse(rest);
        case "list" -> {
          if (!rest.isEmpty()) {
            throw new IllegalArgumentException("list takes no arguments.");
          }
          yield new ListKeys();
        }
        case "revoke" -> {
          if (rest.size() != 1) {
            throw new IllegalArgumentException("revoke takes one key id.");
          }
          yield new Revoke(rest.get(0));
        }
        default -> throw new IllegalArgumentException("unknown subcommand '" + verb + "'.");
      };
    }
  }

  private record Create(String owner, Role role, String name) implements Request {
    static Create parse(List<String> args) {
      String owner = "";
      Role role = Role.FACULTY;
      String name = "";
      for (int i = 0; i < args.size(); i += 2) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(args.get(i) + " needs a value.");
        }
        String value = args.get(i + 1);
        switch (args.get(i)) {
          case "--owner" -> owner = value;
          case "--role" ->
              role =
                  Role.parse(value)
                      .orElseThrow(
                          () -> new IllegalArgumentException("--role must be faculty or admin."));
          case "--name" -> name = value;
          default -> throw new IllegalArgumentException("unknown option " + args.get(i) + ".");
        }
      }
      if (owner.isBlank() || owner.length() > 200 || Principal.reserved(owner)) {
        throw new IllegalArgumentException(
            "--owner must name the key's owner (1 to 200 characters).");
      }
      return new Create(owner, role, name);
    }

    @Override
    public int apply(KeyStore keys, KeysCommand command) {
      return command.created(block(keys.create(owner, role, name)));
    }
  }

  private record ListKeys() implements Request {
    @Override
    public int apply(KeyStore keys, KeysCommand command) {
      return command.listed(block(keys.list()));
    }
  }

  private record Revoke(String id) implements Request {
    @Override
    public int apply(KeyStore keys, KeysCommand command) {
      return command.revoked(id, block(keys.revoke(id)).isPresent());
    }
  }
}

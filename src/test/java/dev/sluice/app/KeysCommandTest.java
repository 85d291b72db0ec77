package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sluice keys …} run in-process against the database of a running Sluice with authentication
 * on: a key the command creates works at once on the API, and one it revokes is refused at once.
 */
@DisplayName("The keys command creates, lists and revokes API keys straight on the database")
class KeysCommandTest {

  private static final String SECRET = "the-key-secret-shared-by-server-and-cli";

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings("SLUICE_AUTH_REQUIRED", "true", "SLUICE_KEY_SECRET", SECRET);

  private record Run(int status, String out, String err) {}

  private static Run keys(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env =
        Map.of("DATABASE_URL", fixture.db().url().toString(), "SLUICE_KEY_SECRET", SECRET);
    int status =
        KeysCommand.run(
            List.of(args),
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("create prints a key that works on the API; list shows it; revoke ends it at once")
  void createListRevoke() {
    assertThat(fixture.api().get("/api/generation/batch").status()).isEqualTo(401);

    Run created = keys("create", "--owner", "alice", "--role", "faculty", "--name", "laptop");
    assertThat(created.status()).as(created.err()).isZero();
    Matcher key = Pattern.compile("key:\\s+(sk-sluice-\\S+)").matcher(created.out());
    Matcher id = Pattern.compile("id:\\s+(key_\\w+)").matcher(created.out());
    assertThat(key.find()).as(created.out()).isTrue();
    assertThat(id.find()).isTrue();

    Api alice = fixture.api().as(key.group(1));
    assertThat(alice.get("/api/generation/batch").status()).isEqualTo(200);
    String batch = alice.createBatch(Api.batchBody("From the CLI's key", 1, 1));
    assertThat(fixture.db().queryText("SELECT owner FROM batches WHERE id = '" + batch + "'"))
        .isEqualTo("alice");

    Run listed = keys("list");
    assertThat(listed.status()).isZero();
    assertThat(listed.out())
        .contains(id.group(1), "alice", "faculty", "laptop", "live")
        .doesNotContain(key.group(1));

    Run revoked = keys("revoke", id.group(1));
    assertThat(revoked.status()).as(revoked.err()).isZero();
    assertThat(alice.get("/api/generation/batch").status()).isEqualTo(401);
    assertThat(keys("list").out()).contains("revoked");
    assertThat(keys("revoke", "key_none").status()).isEqualTo(1);
  }

  @Test
  @DisplayName("Bad arguments are a usage error (status 2) that names the problem")
  void usage() {
    Run noOwner = keys("create", "--role", "faculty");
    assertThat(noOwner.status()).isEqualTo(2);
    assertThat(noOwner.err()).contains("--owner");
    assertThat(keys("create", "--owner", "a", "--role", "root").err()).contains("--role");
    assertThat(keys("rotate").status()).isEqualTo(2);
    assertThat(keys().status()).isEqualTo(2);
    Run generated = keys("generate");
    assertThat(generated.status()).isZero();
    assertThat(generated.out().trim()).startsWith("sk-sluice-").hasSizeGreaterThan(40);
  }
}

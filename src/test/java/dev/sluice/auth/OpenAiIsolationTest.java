package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.GatedGenerator;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAI face under {@code /v1} with authentication on: the same principals and isolation as
 * {@code /api}. Another owner's file or batch is OpenAI's 404, on every route, and nothing about it
 * changes; an admin sees it.
 */
@DisplayName("Under /v1 each owner sees and steers only their own files and batches")
class OpenAiIsolationTest {

  private static final String BOUNDARY = "sluice-isolation-boundary";
  private static final GatedGenerator gate = new GatedGenerator();

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings("SLUICE_ADMIN_KEY", AuthenticationTest.ADMIN_KEY)
          .generator(vertx -> gate)
          .beforeClose(gate::releaseAll);

  private static Api alice;
  private static Api bob;
  private static String fileId;
  private static String batchId;
  private static String nativeId;

  @BeforeAll
  static void alicesBatch() {
    alice = fixture.api().as(IsolationTest.keyOn(fixture, "alice"));
    bob = fixture.api().as(IsolationTest.keyOn(fixture, "bob"));
    Api.Reply file = upload(alice, requests(4));
    assertThat(file.status()).as(file.body()).isEqualTo(200);
    fileId = file.json().getString("id");
    Api.Reply batch = alice.post("/v1/batches", createBody(fileId));
    assertThat(batch.status()).as(batch.body()).isEqualTo(200);
    batchId = batch.json().getString("id");
    nativeId =
        fixture
            .db()
            .queryText(
                "SELECT id FROM batches WHERE replace(id::text, '-', '') = '"
                    + batchId.substring("batch_".length())
                    + "'");
    // The gate holds what is dispatched; once those dispatches are stored the batch stands still.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> fixture.db().batchState(nativeId).contains(",in_progress,"));
  }

  @Test
  @DisplayName(
      "Another owner's file and batch are OpenAI's 404 on every route, and stay as they were")
  void anotherOwnersFileAndBatchAreNotFound() {
    String before = fixture.db().batchState(nativeId);

    assertNotFound(bob.get("/v1/files/" + fileId));
    assertNotFound(bob.get("/v1/files/" + fileId + "/content"));
    assertNotFound(bob.delete("/v1/files/" + fileId));
    assertNotFound(bob.get("/v1/batches/" + batchId));
    for (String control : new String[] {"pause", "resume", "cancel", "retry-failed"}) {
      assertNotFound(bob.post("/v1/batches/" + batchId + "/" + control, "{}"));
    }
    Api.Reply reuse = bob.post("/v1/batches", createBody(fileId));
    assertThat(reuse.status()).as(reuse.body()).isIn(400, 404);
    assertThat(bob.get("/v1/files").body()).doesNotContain(fileId);
    assertThat(bob.get("/v1/batches").body()).doesNotContain(batchId);

    assertThat(fixture.db().batchState(nativeId)).isEqualTo(before);
    assertThat(alice.get("/v1/files/" + fileId).status()).isEqualTo(200);
    assertThat(alice.get("/v1/batches/" + batchId).json().getString("status"))
        .isEqualTo("in_progress");
  }

  @Test
  @DisplayName("An admin reads another owner's batch under /v1")
  void adminSeesIt() {
    Api admin = fixture.api().as(AuthenticationTest.ADMIN_KEY);
    Api.Reply seen = admin.get("/v1/batches/" + batchId);
    assertThat(seen.status()).as(seen.body()).isEqualTo(200);
    assertThat(seen.json().getString("input_file_id")).isEqualTo(fileId);
  }

  private static void assertNotFound(Api.Reply reply) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(404);
    JsonObject error = reply.json().getJsonObject("error");
    assertThat(error).as(reply.body()).isNotNull();
    assertThat(error.getString("message")).isNotBlank();
  }

  /** The body of {@code POST /v1/batches} for an uploaded file. */
  static String createBody(String fileId) {
    return new JsonObject()
        .put("input_file_id", fileId)
        .put("endpoint", "/v1/chat/completions")
        .put("completion_window", "24h")
        .encode();
  }

  /** {@code n} chat-completion requests as an OpenAI batch input file. */
  static String requests(int n) {
    StringBuilder lines = new StringBuilder();
    IntStream.rangeClosed(1, n)
        .forEach(
            i ->
                lines
                    .append(
                        new JsonObject()
                            .put("custom_id", "q" + i)
                            .put("method", "POST")
                            .put("url", "/v1/chat/completions")
                            .put(
                                "body",
                                new JsonObject()
                                    .put("model", "gpt-test")
                                    .put(
                                        "messages",
                                        new io.vertx.core.json.JsonArray()
                                            .add(
                                                new JsonObject()
                                                    .put("role", "user")
                                                    .put("content", "Exam question " + i))))
                            .encode())
                    .append('\n'));
    return lines.toString();
  }

  /** Uploads a batch input file for the caller, as multipart form data. */
  static Api.Reply upload(Api as, String jsonl) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    write(body, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n");
    write(body, "batch\r\n--" + BOUNDARY + "\r\n");
    write(body, "Content-Disposition: form-data; name=\"file\"; filename=\"exam.jsonl\"\r\n");
    write(body, "Content-Type: application/jsonl\r\n\r\n");
    write(body, jsonl);
    write(body, "\r\n--" + BOUNDARY + "--\r\n");
    return as.send(
        HttpRequest.newBuilder(URI.create(as.base() + "/v1/files"))
            .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }
}

package dev.sluice.api.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListPage;
import com.openai.models.batches.BatchListParams;
import com.openai.models.files.FileObject;
import dev.sluice.support.Api;
import dev.sluice.support.OpenAiSdk;
import dev.sluice.support.ProviderSluice;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official OpenAI Java SDK, unmodified, against Sluice's {@code /v1}, with the requests run on
 * a loopback OpenAI-compatible provider: upload, create, Sluice's pause and resume, completion,
 * output and error files, cancel, paging, and the SDK's typed errors.
 */
@DisplayName("The OpenAI Batch API through the official Java SDK")
class OpenAiSdkTest {

  @RegisterExtension
  final ProviderSluice fixture =
      ProviderSluice.withSettings("SLUICE_BATCH_DEFAULT_CONCURRENCY", "2").latency(40);

  private OpenAiSdk sdk;

  private OpenAiSdk sdk() {
    sdk = new OpenAiSdk(fixture.port());
    return sdk;
  }

  @AfterEach
  void close() {
    if (sdk != null) {
      sdk.close();
    }
  }

  @Test
  @DisplayName(
      "Upload, create, pause (it holds), resume, complete; the output file has every succeeded"
          + " custom_id once as a chat completion, the error file the failed ones, and /api shows"
          + " the same batch")
  void roundTrip() {
    Api api = fixture.start();
    OpenAiSdk openAi = sdk();
    Batch created = openAi.createBatch(OpenAiSdk.jsonl(40, Set.of(3, 17)), "24h");
    assertThat(created.id()).startsWith("batch_");
    assertThat(created.status().asString()).isEqualTo("in_progress");
    assertThat(created.inputFileId()).startsWith("file-");
    assertThat(created.expiresAt()).isPresent();

    OpenAiSdk.Controlled paused = openAi.control(created.id(), "pause");
    assertThat(paused.status()).as(paused.body()).isEqualTo(200);
    assertThat(paused.batch().status().asString()).isEqualTo("paused");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> fixture.provider().calls().size() == completedOrFailed(openAi, created.id()));
    long held = completedOrFailed(openAi, created.id());
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(3))
        .until(() -> completedOrFailed(openAi, created.id()) == held);
    assertThat(held).isLessThan(40);

    assertThat(openAi.control(created.id(), "resume").batch().status().asString())
        .isEqualTo("in_progress");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> openAi.status(created.id()).equals("completed"));

    Batch done = openAi.retrieve(created.id());
    assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(38);
    assertThat(done.requestCounts().orElseThrow().failed()).isEqualTo(2);
    assertThat(done.completedAt()).isPresent();
    List<JsonObject> output = openAi.lines(done.outputFileId().orElseThrow());
    assertThat(output).hasSize(38);
    assertThat(output).extracting(l -> l.getString("custom_id")).doesNotHaveDuplicates();
    assertThat(output)
        .allSatisfy(
            l -> {
              JsonObject response = l.getJsonObject("response");
              assertThat(response.getInteger("status_code")).isEqualTo(200);
              assertThat(response.getJsonObject("body").getString("object"))
                  .isEqualTo("chat.completion");
              assertThat(l.getValue("error")).isNull();
            });
    List<JsonObject> errors = openAi.lines(done.errorFileId().orElseThrow());
    assertThat(errors)
        .extracting(l -> l.getString("custom_id"))
        .containsExactlyInAnyOrder("r3", "r17");
    FileObject outputFile = openAi.client().files().retrieve(done.outputFileId().orElseThrow());
    assertThat(outputFile.bytes()).isPositive();

    JsonObject nativeView = api.batch(nativeId(created.id()));
    assertThat(nativeView.getString("status")).isEqualTo("completed");
    assertThat(nativeView.getJsonObject("counts").getInteger("succeeded")).isEqualTo(38);
  }

  @Test
  @DisplayName(
      "Cancelling mid-run through the SDK: the output file holds exactly the completed requests")
  void cancelMidRun() {
    Api api = fixture.start();
    OpenAiSdk openAi = sdk();
    Batch created = openAi.createBatch(OpenAiSdk.jsonl(60, Set.of()), "24h");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> openAi.retrieve(created.id()).requestCounts().orElseThrow().completed() >= 4);

    Batch cancelling = openAi.client().batches().cancel(created.id());
    assertThat(cancelling.status().asString()).isIn("cancelling", "cancelled");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> openAi.status(created.id()).equals("cancelled"));

    Batch cancelled = openAi.retrieve(created.id());
    long completed = cancelled.requestCounts().orElseThrow().completed();
    assertThat(completed).isBetween(4L, 59L);
    assertThat(cancelled.cancelledAt()).isPresent();
    List<JsonObject> output = openAi.lines(cancelled.outputFileId().orElseThrow());
    assertThat(output).hasSize((int) completed);
    assertThat(output).extracting(l -> l.getString("custom_id")).doesNotHaveDuplicates();
    assertThat(cancelled.errorFileId()).isEmpty();
    assertThat(api.status(nativeId(created.id()))).isEqualTo("cancelled");
    assertThat(openAi.control(created.id(), "pause").status()).isEqualTo(409);
  }

  @Test
  @DisplayName("Listing pages with limit and after, newest first, to the end")
  void listPages() {
    fixture.start();
    OpenAiSdk openAi = sdk();
    String first = openAi.createBatch(OpenAiSdk.jsonl(1, Set.of()), "24h").id();
    String second = openAi.createBatch(OpenAiSdk.jsonl(1, Set.of()), "24h").id();
    String third = openAi.createBatch(OpenAiSdk.jsonl(1, Set.of()), "24h").id();

    BatchListPage page = openAi.client().batches().list(BatchListParams.builder().limit(2).build());
    assertThat(page.data()).extracting(Batch::id).containsExactly(third, second);
    assertThat(page.hasMore()).contains(true);
    assertThat(page.hasNextPage()).isTrue();
    BatchListPage next = page.nextPage();
    assertThat(next.data()).extracting(Batch::id).containsExactly(first);
    assertThat(next.hasNextPage()).isFalse();
    assertThat(openAi.client().files().list().data()).hasSize(3);
  }

  @Test
  @DisplayName(
      "Unknown ids, a wrong endpoint, a bad file and a refused control raise the SDK's typed errors")
  void typedErrors() {
    fixture.start();
    OpenAiSdk openAi = sdk();
    String unknown = "batch_" + UUID.randomUUID().toString().replace("-", "");
    assertThatThrownBy(() -> openAi.retrieve(unknown)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> openAi.client().files().retrieve("file-nothing"))
        .isInstanceOf(NotFoundException.class);

    FileObject file = openAi.upload(OpenAiSdk.jsonl(2, Set.of()));
    assertThatThrownBy(
            () ->
                openAi
                    .client()
                    .batches()
                    .create(
                        BatchCreateParams.builder()
                            .inputFileId(file.id())
                            .endpoint(BatchCreateParams.Endpoint.of("/v1/embeddings"))
                            .completionWindow(BatchCreateParams.CompletionWindow._24H)
                            .build()))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.param()).contains("endpoint"));

    String wrongUrl =
        OpenAiSdk.jsonl(2, Set.of()).replaceFirst("/v1/chat/completions", "/v1/completions");
    assertThatThrownBy(() -> openAi.createBatch(wrongUrl, "24h"))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.param()).contains("line 1.url"));
    String duplicate = OpenAiSdk.jsonl(2, Set.of()).replace("\"r1\"", "\"r0\"");
    assertThatThrownBy(() -> openAi.createBatch(duplicate, "24h"))
        .isInstanceOf(BadRequestException.class);
    assertThat(openAi.client().batches().list().data()).as("nothing was created").isEmpty();

    Batch created = openAi.createBatch(OpenAiSdk.jsonl(1, Set.of()), "24h");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> openAi.status(created.id()).equals("completed"));
    assertThatThrownBy(() -> openAi.client().batches().cancel(created.id()))
        .isInstanceOfSatisfying(
            OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(409));
  }

  private static long completedOrFailed(OpenAiSdk openAi, String id) {
    var counts = openAi.retrieve(id).requestCounts().orElseThrow();
    return counts.completed() + counts.failed();
  }

  /** The native id of a {@code batch_<hex>} id. */
  static String nativeId(String openAiId) {
    return OpenAiIds.batchId(openAiId).orElseThrow().toString();
  }
}

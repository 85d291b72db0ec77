package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.generate.Generation;
import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An item's token usage is stored in three columns and read back as the object the API shows; a
 * result stored before those columns existed keeps its object and reads the same
 * (docs/decisions.md, "Token usage in plain columns").
 */
class ItemUsageTest {

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings()
          .generator(
              vertx ->
                  request ->
                      Future.succeededFuture(
                          new Generation("answer " + request.seq(), "length", request.seq(), 40)));

  private final Api api = fixture.api();

  @Test
  @DisplayName("Usage is stored in columns, shown as an object, and older results read the same")
  void usageInColumns() {
    String id = api.createBatch("usage", 3, 2);
    await().atMost(Duration.ofSeconds(15)).until(() -> api.status(id).equals("completed"));

    assertThat(
            fixture
                .db()
                .queryText(
                    "SELECT string_agg(concat_ws('/', prompt_tokens, completion_tokens,"
                        + " finish_reason, usage IS NULL), ',' ORDER BY seq) FROM items WHERE"
                        + " batch_id = '"
                        + id
                        + "'"))
        .isEqualTo("1/40/length/t,2/40/length/t,3/40/length/t");
    assertThat(usages(id))
        .containsExactly(
            new JsonObject()
                .put("promptTokens", 1)
                .put("completionTokens", 40)
                .put("finishReason", "length"),
            new JsonObject()
                .put("promptTokens", 2)
                .put("completionTokens", 40)
                .put("finishReason", "length"),
            new JsonObject()
                .put("promptTokens", 3)
                .put("completionTokens", 40)
                .put("finishReason", "length"));

    // As a result stored by a Sluice before migration V9 left it.
    fixture
        .db()
        .execute(
            "UPDATE items SET usage = '{\"promptTokens\": 7, \"completionTokens\": 8,"
                + " \"finishReason\": \"stop\"}', prompt_tokens = NULL, completion_tokens = NULL,"
                + " finish_reason = NULL WHERE batch_id = '"
                + id
                + "' AND seq = 2");
    assertThat(usages(id).get(1))
        .isEqualTo(
            new JsonObject()
                .put("promptTokens", 7)
                .put("completionTokens", 8)
                .put("finishReason", "stop"));
  }

  private List<JsonObject> usages(String id) {
    return api.items(id).stream().map(i -> i.getJsonObject("usage")).toList();
  }
}

package dev.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where stored changes are published: every one on the batch's own address, only transitions on the
 * address every node of a cluster listens to (docs/architecture.md, "Several nodes").
 */
@DisplayName("Stored changes go to the batch's address; only transitions go to the shared one.")
class ChangeAddressesTest {

  @RegisterExtension
  static final SluiceFixture fixture =
      SluiceFixture.withSettings(
          "SLUICE_SIMULATED_LATENCY_MS", "5", "SLUICE_SIMULATED_FAILURE_RATE", "0");

  @Test
  @DisplayName(
      "A 40-item batch publishes its result commits on its own address only, and created and completed on both.")
  void resultCommitsStayOnTheBatchAddress() {
    List<JsonObject> shared = new CopyOnWriteArrayList<>();
    List<JsonObject> own = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> all =
        fixture
            .sluice()
            .vertx()
            .eventBus()
            .consumer(BatchChanges.ADDRESS, m -> shared.add(m.body()));
    await().until(() -> all.isRegistered());
    // The batch's address is known only once it exists: pause it at once, so that everything after
    // the resume is seen on both addresses.
    String id = fixture.api().createBatch(Api.batchBody("Addresses", 40, 2));
    assertThat(fixture.api().control(id, "pause").status()).isEqualTo(200);
    MessageConsumer<JsonObject> mine =
        fixture
            .sluice()
            .vertx()
            .eventBus()
            .consumer(BatchChanges.address(UUID.fromString(id)), m -> own.add(m.body()));
    await().until(() -> mine.isRegistered());
    assertThat(fixture.api().control(id, "resume").status()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> own.stream().anyMatch(c -> "completed".equals(c.getString("status"))));
    await().until(() -> ofBatch(shared, id).stream().anyMatch(c -> has(c, "completed")));

    List<JsonObject> sharedOfBatch = ofBatch(shared, id);
    assertThat(sharedOfBatch)
        .as("every change on the shared address carries a transition")
        .allSatisfy(c -> assertThat(c.getJsonArray("transitions")).isNotEmpty());
    assertThat(sharedOfBatch.stream().map(c -> c.getString("status")))
        .containsSubsequence("running", "paused", "running", "completed");
    assertThat(own.stream().filter(c -> c.getJsonArray("transitions").isEmpty()))
        .as("result commits, with counts and no transition, reach the batch's own watchers")
        .isNotEmpty();
    // Whatever transition was stored after this watcher registered (the pause's own change may
    // still be in flight then) reached the shared address too, in the same order.
    List<JsonObject> ownTransitions =
        own.stream().filter(c -> !c.getJsonArray("transitions").isEmpty()).toList();
    assertThat(ownTransitions)
        .as("the resume and the completion reach the batch's own address")
        .anySatisfy(c -> assertThat(has(c, "running")).isTrue())
        .anySatisfy(c -> assertThat(has(c, "completed")).isTrue());
    assertThat(sharedOfBatch)
        .as("every transition on the batch's own address reached the shared one: %s", own)
        .endsWith(ownTransitions.toArray(JsonObject[]::new));
    all.unregister();
    mine.unregister();
  }

  private static List<JsonObject> ofBatch(List<JsonObject> changes, String id) {
    return changes.stream().filter(c -> id.equals(c.getString("batchId"))).toList();
  }

  private static boolean has(JsonObject change, String status) {
    return change.getJsonArray("transitions").stream()
        .anyMatch(t -> status.equals(((JsonObject) t).getString("to")));
  }
}

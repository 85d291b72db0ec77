package dev.sluice.api;

import dev.sluice.batch.BatchDraft;
import dev.sluice.batch.Batches;
import dev.sluice.batch.Created;
import dev.sluice.batch.FileRecord;
import dev.sluice.batch.NewBatch;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A batch made from an uploaded OpenAI batch input file ({@code POST /v1/batches}): the file's
 * lines are handed over a page at a time as they are read from the database, each checked by the
 * native JSONL rules plus {@code method} POST and {@code url} equal to the endpoint, and stored in
 * chunks ({@link BatchDraft}); the batch exists once the last line has passed, and nothing is
 * stored if one does not. The file is never held whole.
 */
public final class FileBatch {

  private final Batches service;
  private final CreateBatchParser parser;
  private final BatchDraft draft;
  private final ItemIntake intake;
  private final OpenAiBatchInput input;

  /** Begins a batch of {@code owner}'s whose every line must name {@code endpoint}. */
  public FileBatch(Batches service, CreateBatchParser parser, String owner, String endpoint) {
    this.service = service;
    this.parser = parser;
    this.draft = service.draft(owner);
    this.intake = new ItemIntake(draft, parser.items(), parser.maxItems());
    this.input = new OpenAiBatchInput(endpoint, intake);
  }

  /**
   * The file's next lines; completes when the next may be handed over, or fails with a 413 once the
   * file holds more requests than a batch may.
   */
  public Future<Void> lines(List<String> lines) {
    lines.forEach(input::line);
    return intake.ready();
  }

  /**
   * Creates the batch once every line was handed over: named after the file, expiring {@code
   * completionWindow} from now, carrying the OpenAI Batch API's facts; abandoned on any refusal.
   */
  public Future<Created> create(FileRecord file, String completionWindow, JsonObject openAi) {
    MultiMap query = MultiMap.caseInsensitiveMultiMap().add("name", file.filename());
    CreateRequest request = new CreateRequest(draft.id(), file.owner(), null, file.id().toString());
    return Future.<Void>succeededFuture()
        .compose(
            v ->
                parser.batch(
                    input.members(query).put("completionWindow", completionWindow),
                    true,
                    true,
                    intake,
                    request))
        .map(b -> withFacts(b, openAi))
        .compose(b -> service.create(draft, b))
        .onFailure(e -> abandon());
  }

  /** Nothing of the batch is stored. */
  public void abandon() {
    intake.stop();
  }

  private static NewBatch withFacts(NewBatch b, JsonObject openAi) {
    return new NewBatch(
        b.id(),
        b.owner(),
        b.name(),
        b.config().with(b.config().deadline(), openAi),
        b.items(),
        b.idempotencyKey(),
        b.requestHash());
  }
}

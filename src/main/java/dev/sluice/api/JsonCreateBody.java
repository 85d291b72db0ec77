package dev.sluice.api;

import dev.sluice.batch.NewBatch;
import dev.sluice.http.Problem;
import dev.sluice.http.StorableText;
import dev.sluice.http.StrictJson;
import dev.sluice.http.StrictJsonStream;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

/**
 * A JSON create body ({@code {"name": …, "items": […]}}) read as it arrives: strictly ({@link
 * StrictJsonStream}), the batch's own members kept (they are small), its items handed one at a time
 * to an {@link ItemIntake}. Every string and member name is checked as storable ({@link
 * StorableText}) as it completes; the first that is not is the answer unless the body is not JSON
 * at all, as for a body read whole.
 */
final class JsonCreateBody implements CreateBody, StrictJsonStream.Listener {

  private static final String ITEMS = "items";

  private final CreateBatchParser parser;
  private final ItemIntake intake;
  private final StrictJsonStream json = new StrictJsonStream(ITEMS, this);
  private final JsonObject members = new JsonObject();
  private boolean itemsSent;
  private boolean itemsList;
  private StrictJson.@Nullable Invalid invalid;
  private @Nullable Problem unstorable;

  JsonCreateBody(CreateBatchParser parser, ItemIntake intake) {
    this.parser = parser;
    this.intake = intake;
  }

  @Override
  public Future<Void> piece(byte[] bytes) {
    if (invalid == null) {
      try {
        json.feed(bytes, 0, bytes.length);
      } catch (StrictJson.Invalid e) {
        refuse(e);
      }
    }
    return intake.ready();
  }

  @Override
  public void member(String name, @Nullable Object value) {
    if (ITEMS.equals(name)) {
      itemsSent = true;
    } else {
      members.put(name, value);
    }
    storable(new JsonObject().put(name, value), "");
  }

  @Override
  public void arrayStarted() {
    itemsSent = true;
    itemsList = true;
    intake.begin(parser.templateSoFar(members));
  }

  @Override
  public void element(@Nullable Object value) {
    if (unstorable == null && !StorableText.storable(value)) {
      storable(value, ITEMS + "[" + intake.count() + "]");
    }
    intake.accept(value);
  }

  @Override
  public Future<NewBatch> batch(CreateRequest request) {
    if (invalid == null) {
      try {
        json.end();
      } catch (StrictJson.Invalid e) {
        refuse(e);
      }
    }
    StrictJson.Invalid notJson = invalid;
    if (notJson != null) {
      throw Problem.badRequest("The request body is not valid JSON: " + notJson.why());
    }
    if (!json.wasObject()) {
      intake.stop();
      throw Problem.badRequest(
          "The request body is not valid JSON for this route: it must be a JSON object.");
    }
    Problem refused = unstorable;
    if (refused != null) {
      throw refused;
    }
    return parser.batch(members, itemsSent, itemsList, intake, request);
  }

  @Override
  public void abandon() {
    intake.stop();
  }

  private void refuse(StrictJson.Invalid e) {
    invalid = e;
    intake.stop();
  }

  /** Notes the first text that cannot be stored; nothing more is stored after it. */
  private void storable(@Nullable Object tree, String path) {
    if (unstorable != null) {
      return;
    }
    try {
      StorableText.check(tree, path);
    } catch (Problem p) {
      unstorable = p;
      intake.stop();
    }
  }
}

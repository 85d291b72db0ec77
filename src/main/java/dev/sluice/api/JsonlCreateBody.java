package dev.sluice.api;

import dev.sluice.batch.NewBatch;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An OpenAI batch input body ({@code Content-Type: application/x-ndjson}) read as it arrives: split
 * into lines ({@code \n} or {@code \r\n}), each read by {@link OpenAiBatchInput} as it completes;
 * the batch's name and settings come from the query.
 */
final class JsonlCreateBody implements CreateBody {

  private final CreateBatchParser parser;
  private final ItemIntake intake;
  private final OpenAiBatchInput input;
  private final MultiMap query;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  JsonlCreateBody(CreateBatchParser parser, ItemIntake intake, MultiMap query) {
    this.parser = parser;
    this.intake = intake;
    this.input = new OpenAiBatchInput(null, intake);
    this.query = query;
  }

  @Override
  public Future<Void> piece(byte[] bytes) {
    int from = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        partial.write(bytes, from, i - from);
        line();
        from = i + 1;
      }
    }
    partial.write(bytes, from, bytes.length - from);
    return intake.ready();
  }

  @Override
  public Future<NewBatch> batch(CreateRequest request) {
    line(); // the text after the last line break, if any, is a line too
    return parser.batch(input.members(query), true, true, intake, request);
  }

  @Override
  public void abandon() {
    intake.stop();
  }

  /** Hands over the line gathered so far (UTF-8 already checked; a line break never splits one). */
  private void line() {
    String text = partial.toString(StandardCharsets.UTF_8);
    partial.reset();
    input.line(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
  }
}

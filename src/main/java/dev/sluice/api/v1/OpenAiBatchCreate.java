package dev.sluice.api.v1;

import dev.sluice.api.CompletionWindow;
import dev.sluice.api.CreateBatchParser;
import dev.sluice.api.FileBatch;
import dev.sluice.api.v1.OpenAiIds.FileRef;
import dev.sluice.api.v1.OpenAiIds.Kind;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.Batches;
import dev.sluice.batch.FileRecord;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.StorableText;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * {@code POST /v1/batches}: checks the request, then reads the input file a page of lines at a time
 * and checks every line (a unique {@code custom_id}, {@code method} POST, {@code url} equal to the
 * endpoint, a JSON {@code body}) by the native API's rules as it goes ({@link FileBatch}), storing
 * the accepted ones in chunks; the one Sluice batch, whose deadline is the completion window from
 * now, exists only once every line has passed.
 */
final class OpenAiBatchCreate {

  private static final int PAGE = 1000;
  private static final int MAX_METADATA = 16;
  private static final int MAX_KEY = 64;
  private static final int MAX_VALUE = 512;

  private final Batches service;
  private final CreateBatchParser parser;

  OpenAiBatchCreate(Batches service, HttpSettings http, BatchSettings batch) {
    this.service = service;
    this.parser = new CreateBatchParser(http, batch);
  }

  Future<BatchRecord> create(JsonObject body, String owner) {
    String endpoint = endpoint(body);
    String window = window(body);
    JsonObject metadata = metadata(body);
    FileRef ref = inputFile(body);
    String inputFileId = OpenAiIds.file(ref.id());
    JsonObject openAi =
        new JsonObject()
            .put("input_file_id", inputFileId)
            .put("endpoint", endpoint)
            .put("completion_window", window)
            .put("metadata", metadata);
    return service
        .findFile(ref.id(), owner)
        .map(
            found ->
                found.orElseThrow(
                    () -> OpenAiError.notFound("No such File object: " + inputFileId + ".")))
        .compose(
            file ->
                fromLines(file, owner, endpoint)
                    .compose(batch -> batch.create(file, window, openAi)))
        .map(created -> created.batch());
  }

  /** The file's lines handed to a new batch a page at a time; abandoned if reading them fails. */
  private Future<FileBatch> fromLines(FileRecord file, String owner, String endpoint) {
    FileBatch batch = new FileBatch(service, parser, owner, endpoint);
    return Download.walk(
            after -> service.fileLines(file.id(), after, PAGE),
            (after, lines) -> after + lines.size(),
            batch::lines,
            0)
        .map(batch)
        .onFailure(e -> batch.abandon());
  }

  private static String endpoint(JsonObject body) {
    Object endpoint = body.getValue("endpoint");
    if (!OpenAiViews.CHAT_COMPLETIONS.equals(endpoint)) {
      throw OpenAiError.badRequest(
          "endpoint must be "
              + OpenAiViews.CHAT_COMPLETIONS
              + ": Sluice runs chat completions; got "
              + (endpoint == null ? "nothing" : "'" + endpoint + "'")
              + ".",
          "endpoint");
    }
    return OpenAiViews.CHAT_COMPLETIONS;
  }

  private static String window(JsonObject body) {
    Object window = body.getValue("completion_window");
    if (!(window instanceof String text) || CompletionWindow.parse(text).isEmpty()) {
      throw OpenAiError.badRequest(
          "completion_window " + CompletionWindow.RULE + "; got " + window + ".",
          "completion_window");
    }
    return text;
  }

  private static FileRef inputFile(JsonObject body) {
    Object id = body.getValue("input_file_id");
    if (!(id instanceof String text)) {
      throw OpenAiError.badRequest(
          "input_file_id is required: the id of a file uploaded with purpose batch.",
          "input_file_id");
    }
    return OpenAiIds.fileRef(text)
        .filter(r -> r.kind() == Kind.UPLOAD)
        .orElseThrow(() -> OpenAiError.notFound("No such File object: " + text + "."));
  }

  private static JsonObject metadata(JsonObject body) {
    Object raw = body.getValue("metadata");
    if (raw == null) {
      return new JsonObject();
    }
    if (!(raw instanceof JsonObject metadata) || metadata.size() > MAX_METADATA) {
      throw OpenAiError.badRequest(
          "metadata must be an object of at most " + MAX_METADATA + " string pairs.", "metadata");
    }
    StorableText.check(metadata, "metadata");
    for (Map.Entry<String, Object> e : metadata) {
      boolean fits =
          e.getKey().length() <= MAX_KEY
              && e.getValue() instanceof String v
              && v.length() <= MAX_VALUE;
      if (!fits) {
        throw OpenAiError.badRequest(
            "metadata."
                + e.getKey()
                + ": keys are at most "
                + MAX_KEY
                + " characters, values strings of at most "
                + MAX_VALUE
                + ".",
            "metadata");
      }
    }
    return metadata;
  }
}

package dev.sluice.api.v1;

import dev.sluice.api.CompletionWindow;
import dev.sluice.api.CreateBatchParser;
import dev.sluice.api.OpenAiBatchInput;
import dev.sluice.api.v1.OpenAiIds.FileRef;
import dev.sluice.api.v1.OpenAiIds.Kind;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.BatchSettings;
import dev.sluice.batch.Batches;
import dev.sluice.batch.FileRecord;
import dev.sluice.batch.NewBatch;
import dev.sluice.http.HttpSettings;
import dev.sluice.http.StorableText;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code POST /v1/batches}: checks the request, reads the whole input file and checks every line (a
 * unique {@code custom_id}, {@code method} POST, {@code url} equal to the endpoint, a JSON {@code
 * body}) by the native API's rules before anything is stored, then creates one Sluice batch whose
 * deadline is the completion window from now.
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
        .compose(file -> content(file).map(raw -> batch(raw, file, owner, openAi)))
        .compose(service::create)
        .map(created -> created.batch());
  }

  private NewBatch batch(Buffer raw, FileRecord file, String owner, JsonObject openAi) {
    MultiMap query = MultiMap.caseInsensitiveMultiMap().add("name", file.filename());
    JsonObject create = OpenAiBatchInput.toCreateBody(raw, query, openAi.getString("endpoint"));
    create.put("completionWindow", openAi.getString("completion_window"));
    NewBatch parsed = parser.parse(create, owner, null, file.id().toString());
    return new NewBatch(
        parsed.id(),
        parsed.owner(),
        parsed.name(),
        parsed.config().with(parsed.config().deadline(), openAi),
        parsed.items(),
        null,
        parsed.requestHash());
  }

  /** The file's lines, read a page at a time; a file is at most the body limit in size. */
  private Future<Buffer> content(FileRecord file) {
    Buffer raw = Buffer.buffer();
    return Download.walk(
            after -> service.fileLines(file.id(), after, PAGE),
            (after, lines) -> after + lines.size(),
            lines -> {
              lines.forEach(l -> raw.appendBytes((l + "\n").getBytes(StandardCharsets.UTF_8)));
              return Future.succeededFuture();
            },
            0)
        .map(raw);
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

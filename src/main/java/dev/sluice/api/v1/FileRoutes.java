package dev.sluice.api.v1;

import dev.sluice.api.v1.OpenAiIds.FileRef;
import dev.sluice.api.v1.OpenAiIds.Kind;
import dev.sluice.batch.BatchRecord;
import dev.sluice.batch.Batches;
import dev.sluice.batch.FileRecord;
import dev.sluice.batch.NewFile;
import dev.sluice.http.HttpSettings;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * {@code /v1/files}: upload a batch input file (multipart {@code file} and {@code purpose=batch},
 * streamed to a temporary file by the body handler and from there into the database), list, read,
 * download and delete the caller's files. A batch's output and error files are read here too; they
 * are made from its items and cannot be deleted.
 */
final class FileRoutes {

  private static final String FILES = OpenAiRoutes.BASE + "/files";
  private static final int PAGE = 1000;
  private static final int MAX_FILENAME = 255;

  private final Batches service;
  private final HttpSettings http;
  private final OutputFiles outputs;

  FileRoutes(Batches service, HttpSettings http, OutputFiles outputs) {
    this.service = service;
    this.http = http;
    this.outputs = outputs;
  }

  void mount(Router router) {
    router.post(FILES).handler(this::upload);
    router.get(FILES).handler(this::list);
    router.get(FILES + "/:file_id").handler(this::get);
    router.get(FILES + "/:file_id/content").handler(this::content);
    router.delete(FILES + "/:file_id").handler(this::delete);
  }

  private void upload(RoutingContext ctx) {
    String purpose = ctx.request().getFormAttribute("purpose");
    if (!"batch".equals(purpose)) {
      throw OpenAiError.badRequest(
          "purpose must be 'batch': Sluice keeps files to make batches from; got '"
              + purpose
              + "'.",
          "purpose");
    }
    FileUpload upload =
        ctx.fileUploads().stream().filter(f -> "file".equals(f.name())).findFirst().orElse(null);
    Future<FileRecord> stored;
    if (upload != null) {
      stored =
          service.storeFile(newFile(ctx, filename(upload.fileName()), upload.uploadedFileName()));
    } else {
      String text = ctx.request().getFormAttribute("file");
      if (text == null) {
        throw OpenAiError.badRequest(
            "Send the file as the 'file' part of a multipart/form-data request.", "file");
      }
      stored = fromText(ctx, text);
    }
    stored.onSuccess(file -> OpenAiRoutes.json(ctx, OpenAiViews.file(file))).onFailure(ctx::fail);
  }

  /**
   * A file part sent without a file name arrives as text (as SDKs send bytes): it is written to a
   * temporary file and stored from there like any upload.
   */
  private Future<FileRecord> fromText(RoutingContext ctx, String text) {
    FileSystem fs = ctx.vertx().fileSystem();
    Buffer bytes = Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
    return fs.createTempFile("sluice-upload", ".jsonl")
        .compose(
            path ->
                fs.writeFile(path, bytes)
                    .compose(v -> service.storeFile(newFile(ctx, "upload.jsonl", path)))
                    .eventually(() -> fs.delete(path)));
  }

  private NewFile newFile(RoutingContext ctx, String filename, String path) {
    int maxLine = (int) Math.min(Integer.MAX_VALUE, http.maxBodyBytes());
    return new NewFile(OpenAiRoutes.owner(ctx), filename, "batch", path, http.maxItems(), maxLine);
  }

  private static String filename(String given) {
    String name = given == null || given.isBlank() ? "upload.jsonl" : given;
    if (name.length() > MAX_FILENAME || name.indexOf('\0') >= 0) {
      throw OpenAiError.badRequest(
          "The file name must be at most " + MAX_FILENAME + " characters of text.", "file");
    }
    return name;
  }

  private void list(RoutingContext ctx) {
    int limit = OpenAiRoutes.limit(ctx, 100, 10_000);
    String after = ctx.request().getParam("after");
    UUID afterId = after == null ? null : upload(after);
    service
        .files(OpenAiRoutes.owner(ctx), limit, afterId)
        .onSuccess(
            page -> {
              JsonArray data = new JsonArray();
              page.data().forEach(f -> data.add(OpenAiViews.file(f)));
              OpenAiRoutes.json(ctx, OpenAiRoutes.list(data, page.more()));
            })
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    FileRef ref = ref(ctx);
    String owner = OpenAiRoutes.owner(ctx);
    if (ref.kind() == Kind.UPLOAD) {
      service
          .findFile(ref.id(), owner)
          .map(found -> OpenAiViews.file(found.orElseThrow(() -> missing(ctx))))
          .onSuccess(view -> OpenAiRoutes.json(ctx, view))
          .onFailure(ctx::fail);
      return;
    }
    finishedBatch(ctx, ref)
        .compose(
            b -> outputs.bytes(b, ref.kind()).map(n -> OpenAiViews.outputFile(b, ref.kind(), n)))
        .onSuccess(view -> OpenAiRoutes.json(ctx, view))
        .onFailure(ctx::fail);
  }

  private void content(RoutingContext ctx) {
    FileRef ref = ref(ctx);
    String owner = OpenAiRoutes.owner(ctx);
    if (ref.kind() == Kind.UPLOAD) {
      service
          .findFile(ref.id(), owner)
          .map(found -> found.orElseThrow(() -> missing(ctx)))
          .onSuccess(
              file ->
                  Download.send(
                      ctx,
                      file.filename(),
                      sink ->
                          Download.walk(
                              after -> service.fileLines(ref.id(), after, PAGE),
                              (after, lines) -> after + lines.size(),
                              lines -> sink.apply(joined(lines)),
                              0)))
          .onFailure(ctx::fail);
      return;
    }
    finishedBatch(ctx, ref)
        .onSuccess(
            b ->
                Download.send(
                    ctx,
                    OpenAiIds.output(b.id(), ref.kind()) + ".jsonl",
                    sink -> outputs.write(b, ref.kind(), sink)))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    FileRef ref = ref(ctx);
    if (ref.kind() != Kind.UPLOAD) {
      throw OpenAiError.badRequest(
          "A batch's output and error files are made from its items and cannot be deleted.",
          "file_id");
    }
    service
        .deleteFile(ref.id(), OpenAiRoutes.owner(ctx))
        .onSuccess(
            deleted -> {
              if (!deleted) {
                ctx.fail(missing(ctx));
                return;
              }
              OpenAiRoutes.json(
                  ctx,
                  new JsonObject()
                      .put("id", OpenAiIds.file(ref.id()))
                      .put("object", "file")
                      .put("deleted", true));
            })
        .onFailure(ctx::fail);
  }

  /** The batch behind an output or error file, once that file exists; else a 404. */
  private Future<BatchRecord> finishedBatch(RoutingContext ctx, FileRef ref) {
    return service
        .find(ref.id(), OpenAiRoutes.owner(ctx))
        .map(
            found -> {
              BatchRecord b = found.orElseThrow(() -> missing(ctx));
              int count = ref.kind() == Kind.OUTPUT ? b.counts().succeeded() : b.counts().failed();
              if (!OpenAiViews.finished(b) || count == 0) {
                throw missing(ctx);
              }
              return b;
            });
  }

  private static Buffer joined(List<String> lines) {
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line).append('\n'));
    return Buffer.buffer(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static FileRef ref(RoutingContext ctx) {
    String id = String.valueOf(ctx.pathParam("file_id"));
    return OpenAiIds.fileRef(id).orElseThrow(() -> missing(ctx));
  }

  private static UUID upload(String id) {
    return OpenAiIds.fileRef(id)
        .filter(r -> r.kind() == Kind.UPLOAD)
        .map(FileRef::id)
        .orElseThrow(
            () -> OpenAiError.badRequest("after must be a file id; got '" + id + "'.", "after"));
  }

  private static OpenAiError missing(RoutingContext ctx) {
    return OpenAiError.notFound("No such File object: " + ctx.pathParam("file_id") + ".");
  }
}

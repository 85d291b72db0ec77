package dev.sluice.support;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OkHttpClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpClient;
import com.openai.core.http.HttpMethod;
import com.openai.core.http.HttpRequest;
import com.openai.core.http.HttpRequestBody;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The official OpenAI Java SDK pointed at a Sluice's {@code /v1}, unmodified, and what the tests do
 * with it: write a JSONL batch file, upload it, create a batch, send Sluice's own controls through
 * the SDK's HTTP transport (its raw request support), and read a file's lines.
 */
public final class OpenAiSdk implements AutoCloseable {

  private final String baseUrl;
  private final OpenAIClient client;
  private final HttpClient transport;

  public OpenAiSdk(int port) {
    this.baseUrl = "http://127.0.0.1:" + port + "/v1";
    this.client =
        OpenAIOkHttpClient.builder().baseUrl(baseUrl).apiKey("sk-local").maxRetries(0).build();
    this.transport = OkHttpClient.builder().build();
  }

  public OpenAIClient client() {
    return client;
  }

  /**
   * A batch input file of {@code n} chat-completion requests {@code r0 … r(n-1)}; those whose
   * number is in {@code failing} ask the test provider to answer 400, so they fail for good.
   */
  public static String jsonl(int n, Set<Integer> failing) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String prompt = "Question " + i + (failing.contains(i) ? " [fail 400x9]" : "");
      JsonObject body =
          new JsonObject()
              .put("model", "gpt-test")
              .put(
                  "messages",
                  new io.vertx.core.json.JsonArray()
                      .add(new JsonObject().put("role", "user").put("content", prompt)))
              .put("max_tokens", 50);
      out.append(
              new JsonObject()
                  .put("custom_id", "r" + i)
                  .put("method", "POST")
                  .put("url", "/v1/chat/completions")
                  .put("body", body)
                  .encode())
          .append('\n');
    }
    return out.toString();
  }

  /** Uploads the text as a file named {@code requests.jsonl}, as a script uploads one from disk. */
  public FileObject upload(String jsonl) {
    try {
      Path dir = Files.createTempDirectory("sluice-sdk");
      Path file = Files.writeString(dir.resolve("requests.jsonl"), jsonl);
      try {
        return client
            .files()
            .create(FileCreateParams.builder().file(file).purpose(FilePurpose.BATCH).build());
      } finally {
        Files.delete(file);
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Uploads the file and creates a batch of it with this completion window. */
  public Batch createBatch(String jsonl, String window) {
    FileObject file = upload(jsonl);
    return client
        .batches()
        .create(
            BatchCreateParams.builder()
                .inputFileId(file.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow.of(window))
                .metadata(
                    BatchCreateParams.Metadata.builder()
                        .putAdditionalProperty(
                            "job", com.openai.core.JsonValue.from("exam questions"))
                        .build())
                .build());
  }

  public Batch retrieve(String batchId) {
    return client.batches().retrieve(batchId);
  }

  public String status(String batchId) {
    return retrieve(batchId).status().asString();
  }

  /**
   * {@code POST /v1/batches/{id}/<command>} (pause, resume, retry-failed) through the SDK's HTTP
   * transport, the answer read as the SDK's batch object; a refusal is returned with its status.
   */
  public Controlled control(String batchId, String command) {
    HttpRequest request =
        HttpRequest.builder()
            .method(HttpMethod.POST)
            .baseUrl(baseUrl)
            .addPathSegments("batches", batchId, command)
            .putHeader("Authorization", "Bearer sk-local")
            .body(json("{}"))
            .build();
    try (HttpResponse response = transport.execute(request)) {
      byte[] body = response.body().readAllBytes();
      Batch batch =
          response.statusCode() == 200
              ? ObjectMappers.jsonMapper().readValue(body, Batch.class)
              : null;
      return new Controlled(response.statusCode(), new String(body, StandardCharsets.UTF_8), batch);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The answer to a control sent raw: its status, its body, and the batch when it was a 200. */
  public record Controlled(int status, String body, Batch batch) {}

  /** A file's lines, downloaded through the SDK, each read as JSON. */
  public List<JsonObject> lines(String fileId) {
    try (HttpResponse response = client.files().content(fileId);
        InputStream in = response.body()) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<JsonObject> out = new ArrayList<>();
      for (String line : text.lines().toList()) {
        if (!line.isBlank()) {
          out.add(new JsonObject(line));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpRequestBody json(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new HttpRequestBody() {
      @Override
      public void writeTo(OutputStream out) {
        try {
          out.write(bytes);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public String contentType() {
        return "application/json";
      }

      @Override
      public long contentLength() {
        return bytes.length;
      }

      @Override
      public boolean repeatable() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void close() {
    client.close();
    transport.close();
  }
}

package dev.sluice.api.v1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.SluiceFixture;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The edge of {@code /v1} over plain HTTP: every error in OpenAI's shape with its status (unknown
 * paths, wrong methods, bad uploads, bodies over the limit), and an upload read back byte for byte.
 */
@DisplayName("The /v1 edge")
class OpenAiEdgeTest {

  private static final String BOUNDARY = "sluice-test-boundary";

  @RegisterExtension
  static final SluiceFixture sluice =
      SluiceFixture.withSettings("SLUICE_MAX_BODY_BYTES", "20000", "SLUICE_MAX_ITEMS", "50");

  private Api api;

  @BeforeEach
  void client() {
    api = sluice.api();
  }

  @Test
  @DisplayName(
      "An unknown /v1 path is a 404 and a wrong method a 405 with Allow, both in OpenAI's shape")
  void noRoute() {
    Api.Reply unknown = api.get("/v1/models");
    assertOpenAiError(unknown, 404, null);

    Api.Reply wrongMethod =
        api.send(HttpRequest.newBuilder(URI.create(base() + "/v1/batches")).DELETE());
    assertOpenAiError(wrongMethod, 405, null);
    assertThat(wrongMethod.raw().headers().firstValue("Allow").orElse("")).contains("GET", "POST");
  }

  @Test
  @DisplayName("The file list pages newest first through after=, each file once")
  void filesPage() {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Api.Reply r =
          upload("batch", "page-" + i + ".jsonl", "{}\n".getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      mine.add(r.json().getString("id"));
    }
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonObject page =
          api.get("/v1/files?limit=2" + (after == null ? "" : "&after=" + after)).json();
      page.getJsonArray("data").forEach(f -> seen.add(((JsonObject) f).getString("id")));
      after = page.getBoolean("has_more") ? page.getString("last_id") : null;
      pages++;
    } while (after != null && pages < 100);

    assertThat(pages).as("more than one page of two").isGreaterThan(1);
    assertThat(seen)
        .doesNotHaveDuplicates()
        .containsSubsequence(mine.get(2), mine.get(1), mine.get(0));
  }

  @Test
  @DisplayName("An upload is stored as sent: its object, its listing and its content")
  void uploadRoundTrip() {
    String text = "{\"custom_id\":\"a\",\"method\":\"POST\"}\n\n{\"custom_id\":\"é\"}\n";
    Api.Reply stored = upload("batch", "in \\ ü.jsonl", text.getBytes(StandardCharsets.UTF_8));
    assertThat(stored.status()).as(stored.body()).isEqualTo(200);
    JsonObject file = stored.json();
    assertThat(file.getString("id")).startsWith("file-");
    assertThat(file.getString("object")).isEqualTo("file");
    assertThat(file.getString("filename")).isEqualTo("in \\ ü.jsonl");
    assertThat(file.getString("purpose")).isEqualTo("batch");
    assertThat(file.getLong("bytes")).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);

    Api.Reply content = api.get("/v1/files/" + file.getString("id") + "/content");
    assertThat(content.status()).isEqualTo(200);
    assertThat(content.body()).isEqualTo(text);
    assertThat(content.raw().headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"in _ _.jsonl\"");
    assertThat(api.get("/v1/files/" + file.getString("id")).json()).isEqualTo(file);

    Api.Reply deleted =
        api.send(
            HttpRequest.newBuilder(URI.create(base() + "/v1/files/" + file.getString("id")))
                .DELETE());
    assertThat(deleted.json().getBoolean("deleted")).isTrue();
    assertOpenAiError(api.get("/v1/files/" + file.getString("id")), 404, null);
  }

  @Test
  @DisplayName("A file part without a file name, as SDKs send bytes, is stored as upload.jsonl")
  void uploadWithoutName() {
    String text = ("{\"custom_id\":\"x\",\"pad\":\"" + "p".repeat(200) + "\"}\n").repeat(45);
    Api.Reply stored = upload("batch", null, text.getBytes(StandardCharsets.UTF_8));
    assertThat(stored.status()).as(stored.body()).isEqualTo(200);
    assertThat(stored.json().getString("filename")).isEqualTo("upload.jsonl");
    Api.Reply content = api.get("/v1/files/" + stored.json().getString("id") + "/content");
    assertThat(content.body()).isEqualTo(text);
  }

  @Test
  @DisplayName("Bad uploads are 400s naming the part at fault, and a body over the limit a 413")
  void badUploads() {
    assertOpenAiError(
        upload("fine-tune", "a.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8)), 400, "purpose");
    assertOpenAiError(
        upload("batch", "a.jsonl", new byte[] {'{', (byte) 0xC3, '}', '\n'}), 400, "file");
    assertOpenAiError(upload("batch", null, new byte[0]), 400, "file");
    assertOpenAiError(
        api.send(
            HttpRequest.newBuilder(URI.create(base() + "/v1/files"))
                .header("Authorization", "Bearer sk-local")
                .POST(HttpRequest.BodyPublishers.noBody())),
        400,
        "purpose");
    assertOpenAiError(
        upload("batch", "big.jsonl", "{}\n".repeat(51).getBytes(StandardCharsets.UTF_8)),
        400,
        "file");
    assertOpenAiError(upload("batch", "huge.jsonl", new byte[30_000]), 413, null);
    assertThat(api.get("/v1/files").json().getJsonArray("data")).as("nothing was kept").isEmpty();
  }

  @Test
  @DisplayName("Creating a batch checks its fields: a missing file is a 404, a bad window a 400")
  void createChecks() {
    Api.Reply missingFile =
        api.post(
            "/v1/batches",
            new JsonObject()
                .put("input_file_id", "file-00000000000000000000000000000000")
                .put("endpoint", "/v1/chat/completions")
                .put("completion_window", "24h")
                .encode());
    assertOpenAiError(missingFile, 404, null);
    Api.Reply badWindow =
        api.post(
            "/v1/batches",
            new JsonObject()
                .put("input_file_id", "file-00000000000000000000000000000000")
                .put("endpoint", "/v1/chat/completions")
                .put("completion_window", "soon")
                .encode());
    assertOpenAiError(badWindow, 400, "completion_window");
    assertOpenAiError(api.post("/v1/batches", "{\"endpoint\":"), 400, null);
  }

  @Test
  @DisplayName(
      "Without authentication, a POST another web page could send (a form, no key) is a 415 in OpenAI's shape")
  void crossSiteFormRefused() {
    Api.Reply form =
        api.send(
            HttpRequest.newBuilder(URI.create(base() + "/v1/batches"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("input_file_id=file-1")));
    assertOpenAiError(form, 415, null);
    assertThat(form.json().getJsonObject("error").getString("code"))
        .isEqualTo("unsupported_media_type");

    // A GET cannot carry a form: refused before the body handler, which could not decode it.
    Api.Reply getWithForm =
        api.send(
            HttpRequest.newBuilder(URI.create(base() + "/v1/batches"))
                .header("Content-Type", "multipart/form-data; boundary=x")
                .GET());
    assertOpenAiError(getWithForm, 415, null);
  }

  private static void assertOpenAiError(Api.Reply reply, int status, @Nullable String param) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).startsWith("application/json");
    JsonObject error = reply.json().getJsonObject("error");
    assertThat(error.getString("message")).isNotBlank();
    assertThat(error.getString("type")).isNotBlank();
    assertThat(error.containsKey("param")).isTrue();
    assertThat(error.containsKey("code")).isTrue();
    if (param != null) {
      assertThat(error.getString("param")).isEqualTo(param);
    }
  }

  private Api.Reply upload(String purpose, @Nullable String filename, byte[] content) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    write(body, "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n");
    write(body, purpose + "\r\n--" + BOUNDARY + "\r\n");
    String name = filename == null ? "" : "; filename=\"" + filename + "\"";
    write(body, "Content-Disposition: form-data; name=\"file\"" + name + "\r\n");
    write(body, "Content-Type: application/jsonl\r\n\r\n");
    body.writeBytes(content);
    write(body, "\r\n--" + BOUNDARY + "--\r\n");
    return api.send(
        HttpRequest.newBuilder(URI.create(base() + "/v1/files"))
            .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
            // As the SDKs do: they always send a key, which the open loopback mode does not check.
            .header("Authorization", "Bearer sk-local")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  private static void write(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String base() {
    return "http://127.0.0.1:" + sluice.port();
  }
}

package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.support.Api;
import dev.sluice.support.TestConfig;
import dev.sluice.support.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Several HTTP server instances share one port, a free one (port 0) included. */
class HttpInstancesTest {

  private static final int INSTANCES = 3;
  private static TestDatabase db;
  private static Sluice sluice;
  private static Api api;

  @BeforeAll
  static void start() {
    db = TestDatabase.create(HttpInstancesTest.class);
    sluice = Sluice.start(TestConfig.of(db, "SLUICE_HTTP_INSTANCES", String.valueOf(INSTANCES)));
    api = new Api(sluice.port());
  }

  @AfterAll
  static void stop() {
    sluice.close();
    db.close();
  }

  @Test
  @DisplayName("Every connection to the one port is served, whichever instance takes it")
  void everyConnectionIsServed() throws IOException {
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < INSTANCES * 4; i++) {
        open.add(new Socket(InetAddress.getLoopbackAddress(), sluice.port()));
      }
      for (Socket s : open) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      for (Socket s : open) {
        assertThat(statusLine(s.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
      }
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  @DisplayName("Controls answer the same through any instance: pause, then pause again is a 409")
  void controlsAnswerAsBefore() {
    String id = api.createBatch("instances", 200, 2);
    assertThat(api.control(id, "pause").status()).isEqualTo(200);
    assertThat(api.control(id, "pause").status()).isEqualTo(409);
    assertThat(api.control(id, "resume").status()).isEqualTo(200);
    assertThat(api.control(id, "cancel").status()).isEqualTo(200);
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\r') {
      line.append((char) c);
    }
    return line.toString();
  }
}

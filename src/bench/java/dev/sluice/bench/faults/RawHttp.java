package dev.sluice.bench.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP exchange over a fresh loopback socket with exactly the bytes given, however broken, and
 * a lenient reader for the answer: the status, the Content-Type and the body, or what happened
 * instead (a timeout, the connection closed without an answer).
 */
final class RawHttp {

  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_BODY = 256 * 1024;

  /** What came back; {@code status} is -1 when no status line did, and {@code failure} says why. */
  record Answer(int status, String contentType, String retryAfter, String body, String failure) {
    String label() {
      return status < 0 ? failure : Integer.toString(status);
    }
  }

  private RawHttp() {}

  static Answer exchange(int port, byte[] request, boolean head, int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // the server may answer and close before reading everything (413); read what it said
      }
      Answer a = read(s.getInputStream(), head);
      while (a.status() >= 100 && a.status() < 200 && a.status() != 101) {
        a =
            read(
                s.getInputStream(),
                head); // an interim answer (100 Continue): the final one follows
      }
      return a;
    } catch (SocketTimeoutException e) {
      return new Answer(-1, "", "", "", "no answer within " + timeoutMillis + " ms");
    } catch (IOException e) {
      return new Answer(-1, "", "", "", "connection reset without an answer");
    } catch (RuntimeException e) {
      return new Answer(-1, "", "", "", "unreadable answer: " + e);
    }
  }

  private static Answer read(InputStream in, boolean head) throws IOException {
    ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        return new Answer(
            -1,
            "",
            "",
            "",
            headBytes.size() == 0 ? "closed without an answer" : "closed mid-answer");
      }
      headBytes.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (b == '\r' ? 1 : 0);
      if (headBytes.size() > MAX_HEAD) {
        break;
      }
    }
    String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n", -1);
    String[] statusLine = lines[0].split(" ", 3);
    int status;
    try {
      status = Integer.parseInt(statusLine[1]);
    } catch (RuntimeException e) {
      return new Answer(
          -1,
          "",
          "",
          "",
          "not an HTTP answer: " + Fuzz.shown(lines[0].getBytes(StandardCharsets.ISO_8859_1), 60));
    }
    String type = "";
    String retryAfter = "";
    long length = -1;
    boolean chunked = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      switch (name) {
        case "content-type" -> type = value;
        case "retry-after" -> retryAfter = value;
        case "content-length" -> length = parseLength(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        default -> {}
      }
    }
    byte[] body = head || status == 204 || status == 304 ? new byte[0] : body(in, length, chunked);
    return new Answer(status, type, retryAfter, new String(body, StandardCharsets.UTF_8), "");
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static byte[] body(InputStream in, long length, boolean chunked) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      while (body.size() < MAX_BODY) {
        String size = line(in);
        int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
        if (n == 0) {
          break;
        }
        body.write(in.readNBytes(n));
        line(in);
      }
    } else if (length >= 0) {
      body.write(in.readNBytes((int) Math.min(length, MAX_BODY)));
    } else {
      body.write(in.readNBytes(MAX_BODY));
    }
    return body.toByteArray();
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}

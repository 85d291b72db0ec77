package dev.sluice.bench.faults;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Requests broken at the HTTP level, sent as raw bytes: garbage and HTTP/2 request lines, overlong
 * URIs and headers, bad chunked encoding, contradictory lengths, malformed header lines.
 */
final class HostileFraming {

  private HostileFraming() {}

  static byte[] request(Random r, String victim) {
    String pause = HostileRequests.BASE + "/" + victim + "/pause";
    String body = "{\"reason\":\"r\"}";
    String host = "Host: 127.0.0.1\r\n";
    String s =
        switch (r.nextInt(30)) {
          case 0 -> "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003";
          case 1 -> "HELLO\r\n\r\n";
          case 2 -> "GET /health/live HTTP/2.0\r\n" + host + "\r\n";
          case 3 -> "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
          case 4 -> "GET /health/live HTTP/9.9\r\n" + host + "\r\n";
          case 5 -> "GET /health/live\r\n\r\n";
          case 6 -> "GET  /health/live  HTTP/1.1\r\n" + host + "\r\n";
          case 7 ->
              "GET /health/live HTTP/1.1\n" + host.replace("\r", "") + "Connection: close\n\n";
          case 8 -> "GET /" + "a".repeat(100_000) + " HTTP/1.1\r\n" + host + "\r\n";
          case 9 ->
              "GET /health/live HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(100_000) + "\r\n\r\n";
          case 10 -> "GET /health/live HTTP/1.1\r\n" + host + "X-H: v\r\n".repeat(5_000) + "\r\n";
          case 11 -> chunked(pause, "zz\r\n" + body + "\r\n0\r\n\r\n");
          case 12 -> chunked(pause, "ffffffffffffffffff\r\n" + body + "\r\n0\r\n\r\n");
          case 13 ->
              chunked(pause, Integer.toHexString(body.length()) + "\r\n" + body + "XX0\r\n\r\n");
          case 14 ->
              chunked(
                  pause,
                  Integer.toHexString(body.length())
                      + ";"
                      + "e".repeat(10_000)
                      + "\r\n"
                      + body
                      + "\r\n0\r\n\r\n");
          case 15 ->
              "POST "
                  + pause
                  + " HTTP/1.1\r\n"
                  + host
                  + "Content-Length: 14\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "e\r\n"
                  + body
                  + "\r\n0\r\n\r\n";
          case 16 ->
              "POST "
                  + pause
                  + " HTTP/1.1\r\n"
                  + host
                  + "Transfer-Encoding: "
                  + HostileRequests.pick(
                      r, "chunked, gzip", "xchunked", "chunked\u0000", "identity")
                  + "\r\nConnection: close\r\n\r\n"
                  + body;
          case 17 ->
              "POST "
                  + pause
                  + " HTTP/1.1\r\n"
                  + host
                  + "Content-Length: "
                  + HostileRequests.pick(r, "-1", "abc", "14, 15", "1e3", "99999999999999999999")
                  + "\r\nConnection: close\r\n\r\n"
                  + body;
          case 18 ->
              "POST "
                  + pause
                  + " HTTP/1.1\r\n"
                  + host
                  + "Content-Length: 14\r\nContent-Length: 15\r\nConnection: close\r\n\r\n"
                  + body;
          case 19 ->
              "GET /health/live HTTP/1.1\r\n" + host + "NoColonHere\r\nConnection: close\r\n\r\n";
          case 20 ->
              "GET /health/live HTTP/1.1\r\n" + host + "Bad Header: x\r\nConnection: close\r\n\r\n";
          case 21 ->
              "GET /health/live HTTP/1.1\r\n"
                  + host
                  + "X-Nul: a\u0000b\r\nConnection: close\r\n\r\n";
          case 22 ->
              "GET /health/live HTTP/1.1\r\n"
                  + host
                  + "X-Fold: a\r\n  continued\r\nConnection: close\r\n\r\n";
          case 23 ->
              "GET http://evil.example/health/live HTTP/1.1\r\n"
                  + host
                  + "Connection: close\r\n\r\n";
          case 24 -> "GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n";
          case 25 ->
              "GET /health/live HTTP/1.1\r\n" + host + "Host: other\r\nConnection: close\r\n\r\n";
          case 26 ->
              "POST "
                  + pause
                  + " HTTP/1.1\r\n"
                  + host
                  + "Expect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 14\r\n"
                  + "Connection: close\r\n\r\n"
                  + body;
          case 27 -> "GET /health/\u0000live HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n";
          case 28 ->
              "POST "
                  + HostileRequests.BASE
                  + " HTTP/1.1\r\n"
                  + host
                  + "Content-Type: application/json\r\nIdempotency-Key: "
                  + HostileRequests.pick(r, "\u0000", " ", "k".repeat(201), "\u00ff\u00fe")
                  + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
          default ->
              r.nextInt(10) == 0
                  ? "POST " + pause + " HTTP/1.1\r\n" + host + "Content-Length: 100\r\n\r\n" + body
                  : randomBytes(r);
        };
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String chunked(String path, String chunks) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + chunks;
  }

  private static String randomBytes(Random r) {
    char[] c = new char[1 + r.nextInt(2_000)];
    for (int i = 0; i < c.length; i++) {
      c[i] = (char) r.nextInt(256);
    }
    return new String(c) + "\r\n\r\n";
  }
}

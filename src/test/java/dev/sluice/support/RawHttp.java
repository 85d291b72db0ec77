package dev.sluice.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 connection driven byte by byte, for what a well-behaved client cannot send: broken
 * framing, unknown versions, heads and bodies that stop half way, abrupt resets.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  public RawHttp(int port) {
    try {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout(20_000);
      in = socket.getInputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends the text as ISO-8859-1 bytes (what an HTTP head is made of). */
  public RawHttp send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything the server sends until it closes the connection (fails after 20 s). */
  public String readToEnd() {
    while (readSome()) {
      // keep reading
    }
    return received();
  }

  /** Reads until what was received contains the text {@code times} times; false if it closed. */
  public boolean readUntil(String text, int times) {
    while (count(received(), text) < times) {
      if (!readSome()) {
        return false;
      }
    }
    return true;
  }

  public String received() {
    return received.toString(StandardCharsets.UTF_8);
  }

  /** Whether the server has closed the connection, as far as a read can tell. */
  public boolean closedByServer() {
    return !readSome();
  }

  /** Closes with a TCP reset rather than a clean close, as a crashed client would. */
  public void reset() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean readSome() {
    byte[] buffer = new byte[8192];
    try {
      int n = in.read(buffer);
      if (n < 0) {
        return false;
      }
      received.write(buffer, 0, n);
      return true;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server neither answered nor closed in 20 s: " + received());
    } catch (IOException e) {
      return false; // reset by the server
    }
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

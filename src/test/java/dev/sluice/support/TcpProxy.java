package dev.sluice.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a loopback port, forwarding to a target, that a test can cut and restore: cutting
 * closes every proxied connection and stops listening (new connections are refused); restoring
 * listens on the same port again. Lets a test take its database away from Sluice, and give it back,
 * without touching the shared PostgreSQL server.
 */
public final class TcpProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final NetClient client = vertx.createNetClient();
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final Set<NetSocket> stale = ConcurrentHashMap.newKeySet();
  private volatile boolean silent;
  private NetServer server;
  private int port;

  private TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /** Starts a proxy on a free loopback port. */
  public static TcpProxy start(String targetHost, int targetPort) {
    TcpProxy proxy = new TcpProxy(targetHost, targetPort);
    proxy.listen(0);
    return proxy;
  }

  public int port() {
    return port;
  }

  /** Closes every proxied connection and refuses new ones until {@link #restore}. */
  public void cut() {
    server.close().await();
    open.forEach(NetSocket::close);
    open.clear();
  }

  /**
   * Leaves every proxied connection open but stale, as connections are after a database restart the
   * client has not noticed yet: the next bytes the client sends on one close it, unforwarded. New
   * connections are forwarded as usual.
   */
  public void staleOpenConnections() {
    stale.addAll(open);
  }

  /**
   * Keeps every connection open but forwards nothing more to the server, as a network that drops
   * packets without a reset does: what the client sends from now on is never answered.
   */
  public void silence() {
    silent = true;
  }

  /** Forwards again what clients send, after {@link #silence}. */
  public void unsilence() {
    silent = false;
  }

  /** Accepts and forwards connections again, on the same port. */
  public void restore() {
    listen(port);
  }

  private void listen(int on) {
    server =
        vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setReuseAddress(true));
    server.connectHandler(this::forward);
    port = server.listen(on).await().actualPort();
  }

  private void forward(NetSocket inbound) {
    inbound.pause();
    open.add(inbound);
    Future<NetSocket> connected = client.connect(targetPort, targetHost);
    connected.onComplete(
        ar -> {
          if (ar.failed() || !open.contains(inbound)) {
            inbound.close();
            if (ar.succeeded()) {
              ar.result().close();
            }
            return;
          }
          NetSocket outbound = ar.result();
          open.add(outbound);
          inbound.closeHandler(v -> outbound.close());
          outbound.closeHandler(v -> inbound.close());
          inbound.handler(
              bytes -> {
                if (stale.remove(inbound)) {
                  inbound.close();
                } else if (!silent) {
                  outbound.write(bytes);
                }
              });
          inbound.resume();
          outbound.pipeTo(inbound);
        });
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}

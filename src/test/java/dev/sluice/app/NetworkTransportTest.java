package dev.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.support.SluiceFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On Linux x86-64 (where the image and CI run) Sluice's event loops use Netty's epoll transport,
 * whose native library ships in the jar; elsewhere Java's NIO (docs/decisions.md, "Netty's epoll
 * transport").
 */
@DisplayName("On Linux x86-64 Sluice runs on Netty's epoll transport")
class NetworkTransportTest {

  @RegisterExtension static final SluiceFixture fixture = SluiceFixture.withSettings();

  @Test
  @DisplayName("the Vert.x instance uses the native transport, and the API answers over it")
  void epoll() {
    assumeTrue(
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64")
            && !Boolean.getBoolean("io.netty.transport.noNative"),
        "the epoll library in the jar is for Linux x86-64 only");
    assertThat(fixture.sluice().vertx().isNativeTransportEnabled()).isTrue();
    assertThat(fixture.api().get("/health/ready").status()).isEqualTo(200);
  }
}

package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.app.Settings;
import dev.sluice.app.SluiceConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps {@code deploy/} true to the code: the ConfigMap is {@code config/sluice.yaml}, and every
 * setting the Deployment and the Dockerfile give Sluice is one it accepts (an unknown {@code
 * SLUICE_*} variable would stop the start), on the port the probes and the Service use.
 */
class DeployManifestsTest {

  private static final Path K8S = Path.of("deploy", "k8s");

  @Test
  @DisplayName("The ConfigMap holds config/sluice.yaml, byte for byte")
  void configMapIsTheDefaults() throws IOException {
    Map<String, Object> configMap = single("configmap.yaml");
    Map<String, Object> data = map(configMap.get("data"));

    assertThat(data.get("sluice.yaml"))
        .isEqualTo(Files.readString(Path.of("config", "sluice.yaml"), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName(
      "The Deployment's environment is settings Sluice accepts, and its probes and port match")
  void deploymentSettingsAreAccepted() throws IOException {
    Map<String, Object> pod = map(map(single("deployment.yaml").get("spec")).get("template"));
    Map<String, Object> container = map(list(map(pod.get("spec")).get("containers")).get(0));
    Map<String, String> env = new HashMap<>();
    for (Object o : list(container.get("env"))) {
      Map<String, Object> var = map(o);
      String name = (String) var.get("name");
      env.put(name, var.containsKey("value") ? String.valueOf(var.get("value")) : sample(name));
    }
    assertThat(env.get("SLUICE_CONFIG")).isEqualTo("/etc/sluice/sluice.yaml");
    env.put("SLUICE_CONFIG", Path.of("config", "sluice.yaml").toString());

    SluiceConfig config = Settings.load(List.of(), env);

    int port = (Integer) map(list(container.get("ports")).get(0)).get("containerPort");
    assertThat(config.http().port()).isEqualTo(port);
    assertThat(config.databaseUrl()).isNotNull();
    assertThat(probe(container, "livenessProbe")).isEqualTo("/health/live");
    assertThat(probe(container, "startupProbe")).isEqualTo("/health/live");
    assertThat(probe(container, "readinessProbe")).isEqualTo("/health/ready");
    assertThat(config.auth().enabled()).as("the pod binds 0.0.0.0, so it needs keys").isTrue();
    int management =
        list(container.get("ports")).stream()
            .map(DeployManifestsTest::map)
            .filter(p -> "management".equals(p.get("name")))
            .map(p -> (Integer) p.get("containerPort"))
            .findFirst()
            .orElseThrow();
    assertThat(config.management().port()).isEqualTo(management);
    assertThat(map(map(pod.get("metadata")).get("annotations")).get("prometheus.io/port"))
        .isEqualTo(String.valueOf(management));
    assertThat(Files.readString(Path.of("deploy", "prometheus", "prometheus.yml")))
        .contains("sluice.sluice.svc:" + management);
    Map<String, Object> servicePort =
        map(list(map(single("service.yaml").get("spec")).get("ports")).get(0));
    assertThat(servicePort.get("port")).isEqualTo(port);
  }

  @Test
  @DisplayName("The Dockerfile's SLUICE_ variables are settings Sluice accepts")
  void dockerfileSettingsAreAccepted() throws IOException {
    String dockerfile = Files.readString(Path.of("deploy", "Dockerfile"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(SLUICE_\\w+)=(\\S+)").matcher(dockerfile);
    Map<String, String> env = new HashMap<>();
    while (m.find()) {
      env.put(m.group(1), m.group(2).replace("\\", ""));
    }

    assertThat(env).containsKeys("SLUICE_HTTP_PORT", "SLUICE_LOG_FORMAT");
    assertThatThrownBy(() -> Settings.load(List.of(), env))
        .as("the image binds 0.0.0.0: without authentication it must refuse to start")
        .hasMessageContaining("SLUICE_ADMIN_KEY");
    env.put("SLUICE_ADMIN_KEY", sample("SLUICE_ADMIN_KEY"));
    assertThat(Settings.load(List.of(), env).http().port()).isEqualTo(8080);
    assertThat(Settings.load(List.of(), env).management().port()).isEqualTo(9090);
    assertThat(dockerfile).contains("USER 10001", "HEALTHCHECK", "/health/live");
  }

  private static String sample(String name) {
    return switch (name) {
      case "DATABASE_URL" -> "postgresql://sluice:pw@postgres:5432/sluice";
      case "SLUICE_ADMIN_KEY" -> "sk-sluice-an-operator-key-from-the-secret";
      case "SLUICE_JWT_SECRET" -> "a-shared-secret-of-at-least-32-characters";
      default -> "x";
    };
  }

  private static String probe(Map<String, Object> container, String which) {
    return (String) map(map(container.get(which)).get("httpGet")).get("path");
  }

  private static Map<String, Object> single(String file) throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (Reader in = Files.newBufferedReader(K8S.resolve(file), StandardCharsets.UTF_8)) {
      new Yaml().loadAll(in).forEach(d -> docs.add(map(d)));
    }
    assertThat(docs).hasSize(1);
    return docs.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Object>) o;
  }
}

package dev.sluice.generate;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The offline generator: text, latency and failures all follow from the seed, the prompt and the
 * attempt number, so the same input gives the same run. Latency is exponential around the
 * configured mean; a failure is retryable three times out of four.
 */
public final class SimulatedGenerator implements Generator {

  private static final List<String> OPENINGS =
      List.of(
          "Here is a question on",
          "A short exam question about",
          "Consider the following item on",
          "Draft question covering");
  private static final List<String> STEMS =
      List.of(
          "Explain in your own words why",
          "Which of the following best describes how",
          "Give one example showing that",
          "Compare two approaches to show how");
  private static final List<String> ANSWERS =
      List.of(
          "The key idea is that each step depends on the one before it.",
          "A strong answer names the mechanism and one consequence of it.",
          "Students should justify their choice with evidence from the material.",
          "The expected answer links the definition to a concrete case.");

  private final Vertx vertx;
  private final SimulatedSettings settings;

  public SimulatedGenerator(Vertx vertx, SimulatedSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    SplittableRandom random = new SplittableRandom(seedOf(request));
    long latency = latency(random);
    Future<Generation> outcome = outcome(request, random);
    if (latency == 0) {
      return outcome;
    }
    Promise<Generation> promise = Promise.promise();
    vertx.setTimer(latency, id -> outcome.onComplete(promise));
    return promise.future();
  }

  /** How long this request's attempt takes, in milliseconds. */
  long latencyOf(GenerationRequest request) {
    return latency(new SplittableRandom(seedOf(request)));
  }

  private long latency(SplittableRandom random) {
    if (settings.latencyMs() == 0) {
      return 0;
    }
    double exp = -Math.log(1.0 - random.nextDouble()); // drawn at any spread: same outcomes
    double spread = settings.latencySpread();
    return Math.max(1, Math.round(settings.latencyMs() * ((1 - spread) + spread * exp)));
  }

  private Future<Generation> outcome(GenerationRequest request, SplittableRandom random) {
    if (random.nextDouble() < settings.failureRate()) {
      boolean retryable = random.nextInt(4) != 0;
      String message =
          retryable
              ? "The simulated provider is overloaded; try again."
              : "The simulated provider refused this prompt.";
      return Future.failedFuture(
          new GenerationException(
              retryable ? GenerationException.Kind.RETRYABLE : GenerationException.Kind.ITEM,
              message,
              null));
    }
    String text = text(request.prompt(), random);
    int promptTokens = tokens(request.prompt());
    return Future.succeededFuture(new Generation(text, "stop", promptTokens, tokens(text)));
  }

  private static String text(String prompt, SplittableRandom random) {
    String topic = prompt.length() > 80 ? prompt.substring(0, 77) + "..." : prompt;
    return pick(OPENINGS, random)
        + " \""
        + topic
        + "\".\n\nQuestion: "
        + pick(STEMS, random)
        + " this holds.\n\nModel answer: "
        + pick(ANSWERS, random);
  }

  private static String pick(List<String> options, SplittableRandom random) {
    return options.get(random.nextInt(options.size()));
  }

  private static int tokens(String text) {
    return Math.max(1, text.length() / 4);
  }

  private long seedOf(GenerationRequest request) {
    CRC32C crc = new CRC32C();
    crc.update(request.prompt().getBytes(StandardCharsets.UTF_8));
    crc.update(request.model().getBytes(StandardCharsets.UTF_8));
    return settings.seed() * 0x9E3779B97F4A7C15L
        + crc.getValue() * 31
        + request.round() * 1_000_003L
        + request.attempt();
  }
}

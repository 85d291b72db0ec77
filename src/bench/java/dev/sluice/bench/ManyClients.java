package dev.sluice.bench;

import dev.sluice.support.Api;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The clients of (f) many live batches ({@link ManyBench}): the creates that fill the node and the
 * pause and resume requests whose latency is measured, each from a few threads at once.
 */
final class ManyClients {

  static final int CREATE_CLIENTS = 8;
  static final int CONTROL_CLIENTS = 4;

  private ManyClients() {}

  static List<String> createAll(Http http) throws Exception {
    String body = Api.batchBody("many", ManyBench.ITEMS, ManyBench.CONCURRENCY).encode();
    ExecutorService clients = Executors.newFixedThreadPool(CREATE_CLIENTS);
    try {
      List<Callable<String>> calls = new ArrayList<>();
      for (int i = 0; i < ManyBench.BATCHES; i++) {
        calls.add(() -> http.create(body));
      }
      List<String> ids = new ArrayList<>();
      for (Future<String> f : clients.invokeAll(calls)) {
        ids.add(f.get());
      }
      return ids;
    } finally {
      clients.shutdownNow();
    }
  }

  /**
   * {@code n} requests, half pauses and half resumes: each client takes random batches of its own
   * share, pauses one and resumes it, and times each request. Anything but 200 stops the run.
   */
  static List<Double> controls(Http http, List<String> ids, int n, Random random) throws Exception {
    List<String> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, random);
    ExecutorService clients = Executors.newFixedThreadPool(CONTROL_CLIENTS);
    try {
      List<Callable<List<Double>>> calls = new ArrayList<>();
      int share = shuffled.size() / CONTROL_CLIENTS;
      for (int c = 0; c < CONTROL_CLIENTS; c++) {
        List<String> mine = shuffled.subList(c * share, (c + 1) * share);
        long seed = random.nextLong();
        calls.add(() -> pauseResume(http, mine, n / CONTROL_CLIENTS / 2, new Random(seed)));
      }
      List<Double> all = new ArrayList<>();
      for (Future<List<Double>> f : clients.invokeAll(calls)) {
        all.addAll(f.get());
      }
      return all;
    } finally {
      clients.shutdownNow();
    }
  }

  private static List<Double> pauseResume(Http http, List<String> mine, int pairs, Random random) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      String id = mine.get(random.nextInt(mine.size()));
      for (String command : List.of("pause", "resume")) {
        long t0 = System.nanoTime();
        Http.Reply r = http.control(id, command);
        out.add(SluiceBench.millis(t0, System.nanoTime()));
        if (r.status() != 200) {
          throw new IllegalStateException(command + " of " + id + " answered " + r.status());
        }
      }
    }
    return out;
  }
}

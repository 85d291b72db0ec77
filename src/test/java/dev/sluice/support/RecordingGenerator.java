package dev.sluice.support;

import dev.sluice.generate.Generation;
import dev.sluice.generate.GenerationRequest;
import dev.sluice.generate.Generator;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Passes every request to a real generator and remembers when each one started. */
public final class RecordingGenerator implements Generator {

  /** One call: which item, which attempt, and when (System.nanoTime). */
  public record Start(String batchId, int seq, int attempt, long nanos) {}

  private final Generator delegate;
  private final List<Start> starts = new CopyOnWriteArrayList<>();

  public RecordingGenerator(Generator delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<Generation> generate(GenerationRequest request) {
    starts.add(
        new Start(
            request.batchId().toString(), request.seq(), request.attempt(), System.nanoTime()));
    return delegate.generate(request);
  }

  public List<Start> starts() {
    return List.copyOf(starts);
  }

  public long startsAfter(long nanos) {
    return starts.stream().filter(s -> s.nanos() > nanos).count();
  }
}

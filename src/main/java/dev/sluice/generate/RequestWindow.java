package dev.sluice.generate;

import java.util.Comparator;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The provider's request and token window as this node counts it: every request granted, from its
 * grant until a full window after the latest moment it can have reached the provider. Used on the
 * gate's context only.
 */
final class RequestWindow {

  /**
   * One request in the window. The provider counts a request when it arrives, somewhere between our
   * grant and the answer; so a request counts from its grant until a full window after the latest
   * moment it can have arrived: the answer, less the time the provider says it worked on it. That
   * can never undercount.
   */
  static final class Entry {
    final long granted;
    long tokens;
    long expires = Long.MAX_VALUE;

    Entry(long granted, long tokens) {
      this.granted = granted;
      this.tokens = tokens;
    }
  }

  private final GateSettings settings;
  private final long windowNanos;
  private final Set<Entry> open = new HashSet<>();
  private final PriorityQueue<Entry> closing =
      new PriorityQueue<>(Comparator.comparingLong((Entry e) -> e.expires));
  private long tokens;

  RequestWindow(GateSettings settings) {
    this.settings = settings;
    this.windowNanos = settings.window().toNanos();
  }

  /** Counts a request granted now with its estimated tokens. */
  Entry open(long now, long estimate) {
    Entry entry = new Entry(now, estimate);
    open.add(entry);
    tokens += estimate;
    return entry;
  }

  /**
   * The request ended: an unused one leaves the window at once; one that was sent counts its tokens
   * as reported ({@code used}, when known) until a window after it can have arrived.
   */
  void close(Entry entry, boolean sent, long used, long providerNanos) {
    open.remove(entry);
    if (!sent) {
      tokens -= entry.tokens;
      return;
    }
    if (used > 0) {
      tokens += used - entry.tokens;
      entry.tokens = used;
    }
    long now = System.nanoTime();
    long arrivedBy = now - Math.max(0, Math.min(providerNanos, now - entry.granted));
    entry.expires = arrivedBy + windowNanos;
    closing.add(entry);
  }

  /** Forgets the requests whose time in the window is over. */
  void prune(long now) {
    Entry first;
    while ((first = closing.peek()) != null && first.expires <= now) {
      tokens -= closing.poll().tokens;
    }
  }

  /**
   * Whether one more request of {@code estimate} tokens would pass this node's share of a limit.
   */
  boolean full(long estimate, int members) {
    int counted = open.size() + closing.size();
    if (counted == 0) {
      return false;
    }
    boolean requests =
        settings.requestsPerWindow() > 0
            && counted >= ProviderGate.share(settings.requestsPerWindow(), members);
    boolean tokensOver =
        settings.tokensPerWindow() > 0
            && tokens + estimate > ProviderGate.share(settings.tokensPerWindow(), members);
    return requests || tokensOver;
  }

  /** Nanoseconds until the first counted request leaves, or -1 when none is closing. */
  long nanosUntilRoom(long now) {
    Entry first = closing.peek();
    return first == null ? -1 : first.expires - now;
  }
}

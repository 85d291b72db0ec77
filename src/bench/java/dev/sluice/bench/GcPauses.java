package dev.sluice.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The garbage collections of this JVM during a round of (b), as its collector beans report them
 * (for G1, one per young or mixed pause, timed from its start to its end): which pause requests
 * were under way while one ran. (b) runs Sluice and its client in this JVM, so a collection stops
 * both.
 */
final class GcPauses implements NotificationListener {

  /** A collection, in milliseconds since the JVM started. */
  record Span(long startMs, long endMs) {
    double ms() {
      return endMs - startMs;
    }
  }

  private final List<Span> spans = new ArrayList<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final long originNanos = System.nanoTime();
  private final long originUptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();

  /** Listens to every collector bean from now until {@link #stop}. */
  static GcPauses during() {
    GcPauses pauses = new GcPauses();
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(pauses, null, null);
        pauses.emitters.add(emitter);
      }
    }
    return pauses;
  }

  @Override
  public void handleNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
        notification.getType())) {
      return;
    }
    GcInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
            .getGcInfo();
    synchronized (spans) {
      spans.add(new Span(info.getStartTime(), info.getEndTime()));
    }
  }

  /** Stops listening and returns the collections seen. */
  List<Span> stop() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(this);
      } catch (ListenerNotFoundException e) {
        // never added to this one: nothing to remove
      }
    }
    synchronized (spans) {
      return List.copyOf(spans);
    }
  }

  /**
   * Whether a collection ran at any moment between two {@link System#nanoTime} readings (to the
   * millisecond, the beans' resolution).
   */
  boolean met(List<Span> spans, long fromNanos, long toNanos) {
    double from = uptimeMs(fromNanos);
    double to = uptimeMs(toNanos);
    for (Span s : spans) {
      if (s.startMs() <= to + 1 && s.endMs() >= from - 1) {
        return true;
      }
    }
    return false;
  }

  private double uptimeMs(long nanos) {
    return originUptimeMs + (nanos - originNanos) / 1e6;
  }
}

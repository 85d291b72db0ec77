package dev.sluice.api;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The item ids of one new batch seen so far, to refuse a duplicate. A set of a million strings
 * would cost about 100 MB of heap; this keeps a 128-bit hash of each id instead, in one open
 * addressing table of longs (32 bytes an id at most, with the table at most half full).
 *
 * <p>Trade-off: two different ids are taken for one only if both 64-bit halves of their hashes
 * collide, about once in 10^26 batches of a million items; the seeds are drawn per process, so the
 * odds do not depend on which ids are sent.
 */
final class IdSet {

  private static final long SEED_A = ThreadLocalRandom.current().nextLong();
  private static final long SEED_B = ThreadLocalRandom.current().nextLong();
  private static final int FIRST_CAPACITY = 1 << 6;

  private long[] slots = new long[2 * FIRST_CAPACITY];
  private int size;

  /** Adds the id; false when it was there already. */
  boolean add(String id) {
    long a = hash(id, SEED_A, 0x9E3779B97F4A7C15L);
    long b = hash(id, SEED_B, 0xC2B2AE3D27D4EB4FL) | 1; // never 0: (0, 0) marks a free slot
    if (!put(slots, a, b)) {
      return false;
    }
    if (++size * 2 > slots.length / 2) {
      grow();
    }
    return true;
  }

  /** Puts the pair into the table; false when it is there already. */
  private static boolean put(long[] table, long a, long b) {
    int mask = table.length / 2 - 1;
    for (int i = (int) (a ^ (a >>> 32)) & mask; ; i = (i + 1) & mask) {
      long sa = table[2 * i];
      long sb = table[2 * i + 1];
      if (sb == 0) {
        table[2 * i] = a;
        table[2 * i + 1] = b;
        return true;
      }
      if (sa == a && sb == b) {
        return false;
      }
    }
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (int i = 0; i < slots.length; i += 2) {
      if (slots[i + 1] != 0) {
        put(bigger, slots[i], slots[i + 1]);
      }
    }
    slots = bigger;
  }

  /** A 64-bit hash of the id's characters: a multiply-xor per character, then MurmurHash3's mix. */
  private static long hash(String id, long seed, long multiplier) {
    long h = seed ^ id.length();
    for (int i = 0; i < id.length(); i++) {
      h = (h ^ id.charAt(i)) * multiplier;
      h ^= h >>> 31;
    }
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}

package dev.sluice.api;

import dev.sluice.batch.BatchDraft;
import dev.sluice.batch.NewBatch;
import dev.sluice.http.Problem;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Takes a new batch's items one at a time, in order, as its body is read: checks each by {@link
 * ItemRules}, keeps the first refusal, and hands the accepted items to the batch's {@link
 * BatchDraft} {@value #CHUNK} at a time, while the next chunk fills. At most one chunk waits behind
 * the one being stored; {@link #ready} tells the reader when to take more. Past {@code
 * limits.max-items} it refuses at once with a 413. Once anything is refused nothing more is stored,
 * and the draft is abandoned as soon as nothing stored can matter to the answer.
 */
final class ItemIntake {

  static final int CHUNK = 5_000;
  private static final int READ_BACK = 1_000;

  private final BatchDraft draft;
  private final ItemRules rules;
  private final int maxItems;
  private final IdSet seen = new IdSet();
  private final Deque<Future<Void>> storing = new ArrayDeque<>();
  private List<NewBatch.NewItem> filling = new ArrayList<>();
  private ItemRules.@Nullable Template template;
  private int count;
  private int firstAhead = -1;
  private @Nullable Problem refusal;
  private int refusedAt = -1;
  private @Nullable Throwable failure;
  private boolean stopped;

  ItemIntake(BatchDraft draft, ItemRules rules, int maxItems) {
    this.draft = draft;
    this.rules = rules;
    this.maxItems = maxItems;
  }

  /**
   * The items begin; {@code known} is the batch's template if it is known by now, or null when it
   * may still come after the items (then an item with vars waits for it, see {@link ItemRules}).
   */
  void begin(ItemRules.@Nullable Template known) {
    this.template = known;
  }

  /** The next item as sent; false once there are more than {@code limits.max-items}. */
  boolean accept(@Nullable Object raw) {
    int index = count++;
    if (count > maxItems) {
      stop();
      return false;
    }
    if (stopped || refusal != null) {
      return true;
    }
    String at = "items[" + index + "]";
    try {
      ItemRules.Template known = template;
      NewBatch.NewItem item =
          known == null ? rules.checkAhead(raw, at, seen) : rules.check(raw, at, known, seen);
      if (known == null && firstAhead < 0 && ItemRules.waitsForTemplate(item)) {
        firstAhead = index;
      }
      filling.add(item);
    } catch (Problem p) {
      refuse(p, index);
      return true;
    }
    if (filling.size() >= CHUNK) {
      store();
    }
    return true;
  }

  /** How many items were sent. */
  int count() {
    return count;
  }

  /** The 413 for too many items, once there are. */
  private @Nullable Problem tooMany() {
    return count > maxItems
        ? Problem.tooLarge("A batch may hold at most " + maxItems + " items; this one has more.")
            .with("field", "items")
        : null;
  }

  /**
   * Completes when the intake can take more items (at most one chunk waits to be stored); fails
   * with the 413 once there are too many.
   */
  Future<Void> ready() {
    Problem over = tooMany();
    if (over != null) {
      return Future.failedFuture(over);
    }
    Future<Void> oldest = storing.peekFirst();
    return storing.size() < 2 || oldest == null ? Future.succeededFuture() : oldest;
  }

  /**
   * Nothing more will be stored (the body is refused for a reason of its own): the draft is
   * abandoned now, and items are only counted from here on.
   */
  void stop() {
    if (!stopped) {
      stopped = true;
      filling = new ArrayList<>();
      draft.abandon();
    }
  }

  /**
   * The items are over and {@code known} is the batch's template: once what was handed to the draft
   * is stored, checks the items that waited for the template, and fails with the first refusal
   * among all items (or the database's failure); otherwise succeeds with the items not yet handed
   * to the draft, the rest of the batch.
   */
  Future<List<NewBatch.NewItem>> finish(ItemRules.Template known) {
    Problem over = tooMany();
    if (over != null) {
      return Future.failedFuture(over);
    }
    if (stopped && refusal == null && failure == null) {
      return Future.failedFuture(new IllegalStateException("The items were abandoned."));
    }
    Future<Void> last = storing.peekLast();
    Future<Void> stored = last == null ? Future.succeededFuture() : last;
    return stored
        .transform(ar -> failure != null ? Future.failedFuture(failure) : checkAhead(known))
        .compose(
            v -> {
              Problem refused = refusal;
              if (refused != null) {
                stop();
                return Future.failedFuture(refused);
              }
              return Future.succeededFuture(filling);
            })
        .onFailure(e -> stop());
  }

  private void refuse(Problem problem, int index) {
    refusal = problem;
    refusedAt = index;
    if (firstAhead < 0 || firstAhead > index) {
      stop(); // nothing stored can come before this refusal
    }
  }

  private void store() {
    List<NewBatch.NewItem> chunk = filling;
    filling = new ArrayList<>(CHUNK);
    Future<Void> f = draft.add(chunk);
    storing.addLast(f);
    f.onComplete(
        ar -> {
          storing.remove(f);
          if (ar.failed() && failure == null) {
            failure = ar.cause();
            stop();
          }
        });
  }

  /**
   * Runs the checks that waited for the template on the items that waited, those stored in the
   * draft and those still in hand, up to the first item refused on its own; the first failing one
   * becomes the refusal.
   */
  private Future<Void> checkAhead(ItemRules.Template known) {
    if (template != null || firstAhead < 0 || stopped) {
      return Future.succeededFuture();
    }
    int end = refusal != null ? refusedAt : count;
    return checkStored(known, firstAhead, end)
        .map(
            next -> {
              for (int i = 0; i < filling.size() && next + i < end; i++) {
                checkOne(filling.get(i), next + i, known);
              }
              return null;
            });
  }

  /** Checks the stored items from index {@code from}; the index of the first item in hand. */
  private Future<Integer> checkStored(ItemRules.Template known, int from, int end) {
    int stored = draft.added();
    if (from >= stored || from >= end) {
      return Future.succeededFuture(stored);
    }
    return draft
        .readBack(from, READ_BACK)
        .compose(
            page -> {
              if (page.isEmpty()) {
                return Future.succeededFuture(stored);
              }
              for (int i = 0; i < page.size() && from + i < end; i++) {
                checkOne(page.get(i), from + i, known);
              }
              return checkStored(known, from + page.size(), end);
            });
  }

  private void checkOne(NewBatch.NewItem item, int index, ItemRules.Template known) {
    if (!ItemRules.waitsForTemplate(item)) {
      return;
    }
    try {
      rules.checkStored(item, "items[" + index + "]", known);
    } catch (Problem p) {
      refusal = p;
      refusedAt = index;
      throw p;
    }
  }
}

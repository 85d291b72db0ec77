package dev.sluice.batch;

import dev.sluice.generate.ProviderWait;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Everything the HTTP edge may ask of batches: create one, steer it, and read it back. Reads come
 * from the database; a batch another owner holds is absent, exactly as one that does not exist.
 */
public interface Batches {

  /** Stores the batch and starts its runner; an idempotent replay returns the first batch. */
  Future<Created> create(NewBatch batch);

  /**
   * Begins a batch of {@code owner}'s whose items arrive a chunk at a time; nothing of it is
   * visible until {@link #create(BatchDraft, NewBatch)} stores it, nothing at all remains once
   * abandoned.
   */
  BatchDraft draft(String owner);

  /**
   * Stores the draft's batch — {@code rest} carries its name, settings and key, and the items that
   * come after those added to the draft — and starts its runner, as {@link #create(NewBatch)}; the
   * draft is abandoned if it cannot be stored. {@code rest.id()} must be the draft's id.
   */
  Future<Created> create(BatchDraft draft, NewBatch rest);

  /**
   * Sends a control command to the batch's runner; answers once the outcome is stored. {@code
   * owner} is the only owner whose batch the caller may steer, or null for any (an admin).
   */
  Future<ControlResult> control(UUID id, @Nullable String owner, BatchCommand command);

  /** The batch with this id, if it is the owner's (any owner's when {@code owner} is null). */
  Future<Optional<BatchRecord>> find(UUID id, @Nullable String owner);

  /** How many of the owner's batches are running or paused. */
  Future<Long> liveCount(String owner);

  /** How the batch waits for its provider while the circuit breaker holds it, else null. */
  @Nullable ProviderWait providerWait(UUID id);

  /**
   * The owner's batches (every owner's when null), newest first, optionally of one status, after a
   * list position.
   */
  Future<Page<BatchRecord>> list(
      @Nullable String owner, @Nullable BatchStatus status, int limit, @Nullable ListKey after);

  /** A page of the batch's items in sequence order after {@code afterSeq}, of one status or all. */
  Future<Page<ItemRecord>> items(
      UUID batchId, @Nullable ItemStatus status, int limit, int afterSeq);

  /** A page of the batch's items that succeeded or failed: what the results export writes. */
  Future<Page<ItemRecord>> finishedItems(UUID batchId, int limit, int afterSeq);

  /** The batch's transition history, oldest first. */
  Future<List<BatchEvent>> events(UUID batchId);

  /**
   * Stores an uploaded file line by line from its temporary copy; an {@link InvalidBatchException}
   * naming {@code file} when it is not UTF-8 text or holds too many requests.
   */
  Future<FileRecord> storeFile(NewFile file);

  /** The owner's uploaded file with this id, if any. */
  Future<Optional<FileRecord>> findFile(UUID id, String owner);

  /** The owner's uploaded files, newest first, after the file {@code after} (if given). */
  Future<Page<FileRecord>> files(String owner, int limit, @Nullable UUID after);

  /** A page of a file's lines after line {@code afterLine}; lines count from 1. */
  Future<Page<String>> fileLines(UUID fileId, int afterLine, int limit);

  /** Deletes the owner's file; false when the owner has no file with this id. */
  Future<Boolean> deleteFile(UUID id, String owner);
}

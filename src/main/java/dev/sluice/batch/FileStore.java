package dev.sluice.batch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of uploaded files: a file is a row in {@code files} and one row per line in {@code
 * file_lines}. An upload is copied from its temporary file a chunk of lines at a time, in one
 * transaction, so neither the upload nor the database sees the whole file in memory.
 */
public final class FileStore {

  private static final int CHUNK = 500;

  private static final String COLUMNS = "id, owner, filename, purpose, bytes, lines, created_at";

  private final Pool pool;

  public FileStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores the lines read from {@code source} as file {@code id}; fails with an {@link
   * InvalidBatchException} naming {@code file} when a line is not UTF-8 text or over a limit.
   */
  Future<FileRecord> store(UUID id, NewFile f, AsyncFile source, long bytes) {
    return pool.withTransaction(
        tx ->
            tx.preparedQuery(
                    "INSERT INTO files (id, owner, filename, purpose, bytes, lines) VALUES ($1, $2,"
                        + " $3, $4, $5, 0)")
                .execute(Tuple.of(id, f.owner(), f.filename(), f.purpose(), bytes))
                .compose(v -> new Copy(tx, id, f).run(source))
                .compose(
                    lines ->
                        tx.preparedQuery(
                                "UPDATE files SET lines = $2 WHERE id = $1 RETURNING " + COLUMNS)
                            .execute(Tuple.of(id, lines)))
                .map(rows -> toFile(rows.iterator().next())));
  }

  /** The owner's file, if there is one with this id. */
  Future<Optional<FileRecord>> find(UUID id, String owner) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM files WHERE id = $1 AND owner = $2")
        .execute(Tuple.of(id, owner))
        .map(
            rows ->
                rows.size() == 0 ? Optional.empty() : Optional.of(toFile(rows.iterator().next())));
  }

  /** The owner's files, newest first, after the file {@code after} (if given). */
  Future<Page<FileRecord>> list(String owner, int limit, @Nullable UUID after) {
    // The first page and the later ones are two statements: each is planned once for every value
    // (Database.pool), and only a plan that knows there is a position can start the index there.
    String sql =
        after == null
            ? "SELECT " + COLUMNS + " FROM files WHERE owner = $1 AND $2::uuid IS NULL"
            : "SELECT "
                + COLUMNS
                + " FROM files WHERE owner = $1 AND (created_at, id) < (SELECT created_at, id FROM"
                + " files WHERE id = $2 AND owner = $1)";
    return pool.preparedQuery(sql + " ORDER BY created_at DESC, id DESC LIMIT $3")
        .execute(Tuple.of(owner, after, limit + 1))
        .map(rows -> Page.of(BatchRows.all(rows, FileStore::toFile), limit));
  }

  /** Up to {@code limit} lines of the file after line {@code afterLine} (lines count from 1). */
  Future<Page<String>> lines(UUID id, int afterLine, int limit) {
    return pool.preparedQuery(
            "SELECT line FROM file_lines WHERE file_id = $1 AND n > $2 ORDER BY n LIMIT $3")
        .execute(Tuple.of(id, afterLine, limit + 1))
        .map(rows -> Page.of(BatchRows.all(rows, r -> r.getString("line")), limit));
  }

  /** Deletes the owner's file and its lines; false when there was none. */
  Future<Boolean> delete(UUID id, String owner) {
    return pool.preparedQuery("DELETE FROM files WHERE id = $1 AND owner = $2")
        .execute(Tuple.of(id, owner))
        .map(rows -> rows.rowCount() == 1);
  }

  private static FileRecord toFile(Row r) {
    return new FileRecord(
        r.getUUID("id"),
        r.getString("owner"),
        r.getString("filename"),
        r.getString("purpose"),
        r.getLong("bytes"),
        r.getInteger("lines"),
        r.getOffsetDateTime("created_at"));
  }

  /** One upload's copy: lines are read, checked and inserted a chunk at a time. */
  private static final class Copy {
    private final SqlConnection tx;
    private final UUID id;
    private final NewFile file;
    private final Promise<Integer> done = Promise.promise();
    private final List<String> chunk = new ArrayList<>();
    private final List<Integer> numbers = new ArrayList<>();
    private int lineNo;
    private int requests;

    Copy(SqlConnection tx, UUID id, NewFile file) {
      this.tx = tx;
      this.id = id;
      this.file = file;
    }

    Future<Integer> run(AsyncFile source) {
      RecordParser parser = RecordParser.newDelimited("\n", source);
      parser.maxRecordSize(file.maxLineBytes());
      parser.exceptionHandler(e -> done.tryFail(tooLong(e)));
      parser.handler(
          raw -> {
            try {
              add(raw);
            } catch (InvalidBatchException e) {
              done.tryFail(e);
              parser.pause();
              return;
            }
            if (chunk.size() >= CHUNK) {
              parser.pause();
              flush().onSuccess(v -> parser.resume()).onFailure(done::tryFail);
            }
          });
      parser.endHandler(v -> flush().onSuccess(x -> end()).onFailure(done::tryFail));
      return done.future().eventually(source::close);
    }

    private void end() {
      if (requests == 0) {
        done.tryFail(new InvalidBatchException("file", "The file holds no requests; it is empty."));
      } else {
        done.tryComplete(requests);
      }
    }

    private void add(Buffer raw) {
      lineNo++;
      String line = decode(raw, lineNo);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (!line.isBlank() && ++requests > file.maxLines()) {
        throw new InvalidBatchException(
            "file",
            "The file holds more than "
                + file.maxLines()
                + " requests, the most a batch may hold.");
      }
      chunk.add(line);
      numbers.add(lineNo);
    }

    private Future<Void> flush() {
      if (chunk.isEmpty()) {
        return Future.succeededFuture();
      }
      String[] lines = chunk.toArray(new String[0]);
      Integer[] ns = numbers.toArray(new Integer[0]);
      chunk.clear();
      numbers.clear();
      return tx.preparedQuery(
              "INSERT INTO file_lines (file_id, n, line) SELECT $1, n, line FROM"
                  + " unnest($2::int[], $3::text[]) AS u(n, line)")
          .execute(Tuple.of(id, ns, lines))
          .mapEmpty();
    }

    private Throwable tooLong(Throwable e) {
      return e instanceof IllegalStateException
          ? new InvalidBatchException(
              "file", "Line " + (lineNo + 1) + " is longer than " + file.maxLineBytes() + " bytes.")
          : e;
    }
  }

  private static String decode(Buffer raw, int lineNo) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw.getBytes()))
              .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidBatchException("file", "Line " + lineNo + " is not UTF-8 text.");
    }
    if (text.indexOf('\0') >= 0) {
      throw new InvalidBatchException(
          "file", "Line " + lineNo + " holds a NUL character, which Sluice cannot store.");
    }
    return text;
  }
}

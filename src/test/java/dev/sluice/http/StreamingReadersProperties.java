package dev.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;

/**
 * The readers of a body as it arrives say exactly what the readers of a whole body say, however the
 * body is cut into pieces: {@link Utf8Stream} as {@link Utf8Text#decode}, {@link StrictJsonStream}
 * as {@link StrictJson#value}.
 */
class StreamingReadersProperties {

  @Property(tries = 5_000)
  @Label("UTF-8 checked piece by piece is refused exactly when, and as, the whole is")
  void utf8AsAWhole(
      @ForAll("utf8ish") byte[] bytes,
      @ForAll @Size(max = 4) List<@IntRange(max = 12) Integer> cuts) {
    String whole;
    try {
      Utf8Text.decode(Buffer.buffer(bytes), "The request body");
      whole = null;
    } catch (Problem p) {
      whole = p.detail();
    }

    Utf8Stream stream = new Utf8Stream("The request body");
    inPieces(bytes, cuts, stream::check);
    stream.end();

    Statistics.label("whole").collect(whole == null ? "UTF-8" : "refused");
    Statistics.label("whole")
        .coverage(
            c -> {
              c.check("UTF-8").percentage(p -> p > 10);
              c.check("refused").percentage(p -> p > 10);
            });
    Problem streamed = stream.problem();
    assertThat(streamed == null ? null : streamed.detail()).isEqualTo(whole);
  }

  @Property(tries = 3_000)
  @Label("JSON read piece by piece is refused exactly when the whole is, and read the same")
  void jsonAsAWhole(
      @ForAll("jsonish") String text,
      @ForAll @Size(max = 6) List<@IntRange(max = 9) Integer> cuts) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String sent = new String(bytes, StandardCharsets.UTF_8); // a split surrogate pair became '?'
    Object whole;
    boolean wholeValid;
    try {
      whole = StrictJson.value(sent);
      wholeValid = true;
    } catch (StrictJson.Invalid e) {
      whole = null;
      wholeValid = false;
    }

    JsonObject members = new JsonObject();
    JsonArray items = new JsonArray();
    StrictJsonStream stream = new StrictJsonStream("items", collector(members, items));
    boolean streamedValid = true;
    try {
      inPieces(bytes, cuts, stream::feed);
      stream.end();
    } catch (StrictJson.Invalid e) {
      streamedValid = false;
    }

    Statistics.label("whole")
        .collect(
            !wholeValid
                ? "refused"
                : whole instanceof JsonObject o && o.getValue("items") instanceof JsonArray
                    ? "object with an items list"
                    : "other value")
        .coverage(
            c -> {
              c.check("refused").percentage(p -> p > 20);
              c.check("object with an items list").percentage(p -> p > 10);
              c.check("other value").percentage(p -> p > 10);
            });
    assertThat(streamedValid).as(text).isEqualTo(wholeValid);
    if (wholeValid) {
      assertThat(stream.wasObject()).as(text).isEqualTo(whole instanceof JsonObject);
    }
    if (whole instanceof JsonObject object) {
      JsonObject rebuilt = members.copy();
      if (members.containsKey("items") || !object.containsKey("items")) {
        assertThat(rebuilt).as(text).isEqualTo(object);
      } else {
        assertThat(rebuilt.put("items", items)).as(text).isEqualTo(object);
      }
    }
  }

  /** Something that takes a piece of a byte array. */
  private interface Reader {
    void take(byte[] bytes, int offset, int length);
  }

  /** Hands the bytes over in pieces of the given lengths, then the rest. */
  private static void inPieces(byte[] bytes, List<Integer> cuts, Reader reader) {
    int from = 0;
    for (int cut : cuts) {
      int to = Math.min(bytes.length, from + cut);
      reader.take(bytes, from, to - from);
      from = to;
    }
    reader.take(bytes, from, bytes.length - from);
  }

  private static StrictJsonStream.Listener collector(JsonObject members, JsonArray items) {
    return new StrictJsonStream.Listener() {
      @Override
      public void member(String name, @Nullable Object value) {
        members.put(name, value);
      }

      @Override
      public void arrayStarted() {}

      @Override
      public void element(@Nullable Object value) {
        items.add(value);
      }
    };
  }

  /** Bytes drawn mostly from those that make UTF-8 interesting: leads, continuations, edges. */
  @Provide
  Arbitrary<byte[]> utf8ish() {
    Arbitrary<Byte> interesting =
        Arbitraries.of(
                0x00, 0x22, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFE, 0xFF, 0xBB)
            .map(Integer::byteValue);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, interesting), net.jqwik.api.Tuple.of(1, Arbitraries.bytes()))
        .array(byte[].class)
        .ofMaxSize(12);
  }

  /** Small JSON texts, well-formed or broken by one edit, often with an "items" array. */
  @Provide
  Arbitrary<String> jsonish() {
    Arbitrary<String> scalar =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(
                30,
                Arbitraries.of(
                    "1", "-2.5", "true", "null", "\"a\"", "\"\\u00e9\"", "\"\u00e9\ud83d\ude00\"")),
            net.jqwik.api.Tuple.of(1, Arbitraries.of("1e400", "NaN", "01")));
    Arbitrary<String> item =
        Combinators.combine(scalar, scalar).as((a, b) -> "{\"id\":" + a + ",\"p\":[" + b + "]}");
    Arbitrary<String> items = item.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> member =
        Arbitraries.oneOf(
            scalar.map(v -> "\"name\":" + v),
            item.map(v -> "\"items\":" + v),
            scalar.map(v -> "\"x\":{\"y\":" + v + "}"));
    Arbitrary<String> object =
        Combinators.combine(member.list().ofMaxSize(1), items, member.list().ofMaxSize(1))
            .as(
                (before, list, after) -> {
                  List<String> all = new java.util.ArrayList<>(before);
                  all.add("\"items\":" + list);
                  all.addAll(after);
                  return "{" + String.join(",", all) + "}";
                });
    Arbitrary<String> value =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, object),
            net.jqwik.api.Tuple.of(1, items),
            net.jqwik.api.Tuple.of(1, scalar));
    Arbitrary<String> edit =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(12, Arbitraries.just("")),
            net.jqwik.api.Tuple.of(
                1, Arbitraries.of("}", "]", ",", " x", "/*c*/", "{}", "\"", ":", "\u0001", "[")));
    return Combinators.combine(
            value,
            edit,
            Arbitraries.integers().between(0, 40),
            Arbitraries.integers().between(0, 9))
        .as(
            (text, insert, at, drop) -> {
              int where = Math.min(at, text.length());
              // now and then a character goes missing instead: a colon, a quote, a bracket
              int cut = drop == 0 && where < text.length() ? 1 : 0;
              return text.substring(0, where) + insert + text.substring(where + cut);
            });
  }
}

package dev.sluice.batch;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;

/**
 * An event-bus codec that sends a message as length-prefixed JSON between nodes and the object
 * itself within one process; no Java serialization on the bus.
 */
class JsonCodec<T> implements MessageCodec<T, T> {

  private final String name;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  JsonCodec(String name, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.name = name;
    this.toJson = toJson;
    this.fromJson = fromJson;
  }

  @Override
  public final void encodeToWire(Buffer buffer, T message) {
    Buffer json = toJson.apply(message).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public final T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
  }

  @Override
  public final T transform(T message) {
    return message;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final byte systemCodecID() {
    return -1;
  }
}

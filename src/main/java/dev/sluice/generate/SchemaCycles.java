package dev.sluice.generate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Finds local references ({@code $ref} and {@code $dynamicRef} to {@code #}, JSON pointers, {@code
 * $anchor}s, {@code $dynamicAnchor}s and embedded {@code $id}s) that loop back without descending
 * into the instance: a loop through in-place applicators only, which a validator would follow
 * forever. Loops under {@code properties}, {@code items} and the other keywords that move to a part
 * of the instance end where the instance does, so they stay allowed. References it cannot resolve
 * are left to the compiler.
 */
final class SchemaCycles {

  /** Applicators that apply their schema to the same instance. */
  private static final Set<String> IN_PLACE = Set.of("not", "if", "then", "else");

  private static final Set<String> IN_PLACE_LISTS = Set.of("allOf", "anyOf", "oneOf");
  private static final Set<String> DESCENDING =
      Set.of(
          "items",
          "contains",
          "additionalProperties",
          "propertyNames",
          "unevaluatedItems",
          "unevaluatedProperties",
          "additionalItems");
  private static final Set<String> DESCENDING_LISTS = Set.of("prefixItems");
  private static final Set<String> SCHEMA_MAPS =
      Set.of("properties", "patternProperties", "$defs", "definitions", "dependentSchemas");
  private static final URI DEFAULT_BASE = URI.create("https://sluice.invalid/schema.json");

  private record Node(JsonObject schema, String pointer, URI base) {}

  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, String> resources = new HashMap<>();
  private final Map<String, String> anchors = new HashMap<>();
  private final Map<String, List<String>> inPlace = new HashMap<>();

  private SchemaCycles() {}

  /** Refuses a schema that refers to itself without end. */
  static void check(JsonObject schema) {
    SchemaCycles graph = new SchemaCycles();
    graph.collect(schema);
    graph.link();
    String loop = graph.findLoop();
    if (loop != null) {
      throw new IllegalArgumentException(
          "refers to itself without end: the subschema at '#"
              + loop
              + "' leads back to itself through $ref and in-place keywords (allOf, anyOf, oneOf,"
              + " not, if, then, else, dependentSchemas) without moving into the output.");
    }
  }

  /** Registers every subschema with its JSON pointer, base URI and anchors. */
  private void collect(JsonObject root) {
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(new Node(root, "", DEFAULT_BASE));
    while (!todo.isEmpty()) {
      Node parent = todo.pop();
      Node n = new Node(parent.schema(), parent.pointer(), base(parent));
      nodes.put(n.pointer(), n);
      resources.putIfAbsent(n.base().toString(), n.pointer());
      for (String key : List.of("$anchor", "$dynamicAnchor")) {
        if (n.schema().getValue(key) instanceof String name) {
          anchors.putIfAbsent(n.base() + "#" + name, n.pointer());
        }
      }
      children(n, todo);
    }
  }

  private static URI base(Node n) {
    if (n.schema().getValue("$id") instanceof String id) {
      try {
        URI resolved = n.base().resolve(new URI(id));
        return new URI(resolved.getScheme(), resolved.getSchemeSpecificPart(), null);
      } catch (URISyntaxException | IllegalArgumentException e) {
        return n.base();
      }
    }
    return n.base();
  }

  private void children(Node n, ArrayDeque<Node> todo) {
    for (Map.Entry<String, Object> e : n.schema()) {
      String key = e.getKey();
      String at = n.pointer() + "/" + escape(key);
      boolean inPlaceKey = IN_PLACE.contains(key) || IN_PLACE_LISTS.contains(key);
      if (IN_PLACE.contains(key) || DESCENDING.contains(key)) {
        child(n, e.getValue(), at, inPlaceKey, todo);
      } else if (IN_PLACE_LISTS.contains(key) || DESCENDING_LISTS.contains(key)) {
        if (e.getValue() instanceof JsonArray list) {
          for (int i = 0; i < list.size(); i++) {
            child(n, list.getValue(i), at + "/" + i, inPlaceKey, todo);
          }
        }
      } else if (SCHEMA_MAPS.contains(key) && e.getValue() instanceof JsonObject map) {
        for (Map.Entry<String, Object> m : map) {
          boolean applies = key.equals("dependentSchemas");
          child(n, m.getValue(), at + "/" + escape(m.getKey()), applies, todo);
        }
      }
    }
  }

  private void child(
      Node parent, @Nullable Object value, String at, boolean inPlaceEdge, ArrayDeque<Node> todo) {
    if (value instanceof JsonObject schema) {
      todo.push(new Node(schema, at, parent.base()));
      if (inPlaceEdge) {
        inPlace.computeIfAbsent(parent.pointer(), p -> new ArrayList<>()).add(at);
      }
    }
  }

  /** Adds an in-place edge for every reference that resolves to a known subschema. */
  private void link() {
    for (Node n : nodes.values()) {
      for (String key : List.of("$ref", "$dynamicRef")) {
        if (n.schema().getValue(key) instanceof String ref) {
          String target = resolve(n.base(), ref);
          if (target != null) {
            inPlace.computeIfAbsent(n.pointer(), p -> new ArrayList<>()).add(target);
          }
        }
      }
    }
  }

  private @Nullable String resolve(URI base, String ref) {
    URI target;
    try {
      target = base.resolve(new URI(ref));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
    String resource;
    try {
      resource = new URI(target.getScheme(), target.getSchemeSpecificPart(), null).toString();
    } catch (URISyntaxException e) {
      return null;
    }
    String root = resources.get(resource);
    String fragment = target.getFragment();
    if (root == null) {
      return null;
    }
    if (fragment == null || fragment.isEmpty()) {
      return root;
    }
    String pointer =
        fragment.startsWith("/") ? root + fragment : anchors.get(resource + "#" + fragment);
    return pointer != null && nodes.containsKey(pointer) ? pointer : null;
  }

  /** The pointer of a subschema on a loop of in-place edges, or null when there is none. */
  private @Nullable String findLoop() {
    Map<String, Integer> state = new HashMap<>();
    for (String start : nodes.keySet()) {
      if (state.containsKey(start)) {
        continue;
      }
      ArrayDeque<Map.Entry<String, Integer>> stack = new ArrayDeque<>();
      stack.push(Map.entry(start, 0));
      state.put(start, 1);
      while (!stack.isEmpty()) {
        Map.Entry<String, Integer> top = stack.pop();
        List<String> next = inPlace.getOrDefault(top.getKey(), List.of());
        if (top.getValue() >= next.size()) {
          state.put(top.getKey(), 2);
          continue;
        }
        stack.push(Map.entry(top.getKey(), top.getValue() + 1));
        String to = next.get(top.getValue());
        Integer seen = state.get(to);
        if (seen == null) {
          state.put(to, 1);
          stack.push(Map.entry(to, 0));
        } else if (seen == 1) {
          return to;
        }
      }
    }
    return null;
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}

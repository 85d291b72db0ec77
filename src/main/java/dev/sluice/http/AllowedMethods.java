package dev.sluice.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods the router serves at each path, learnt from its routes, so a request with another
 * method on a known path is answered 405 with an {@code Allow} header rather than 404.
 */
public final class AllowedMethods {

  private record Template(Pattern path, Set<HttpMethod> methods) {}

  private final List<Template> templates;

  private AllowedMethods(List<Template> templates) {
    this.templates = templates;
  }

  /** Learns the routes that have methods and an exact path ({@code :name} matches one segment). */
  public static AllowedMethods of(List<Route> routes) {
    List<Template> templates = new ArrayList<>();
    for (Route route : routes) {
      Set<HttpMethod> methods = route.methods();
      String path = route.getPath();
      if (methods != null && !methods.isEmpty() && path != null && route.isExactPath()) {
        templates.add(new Template(pattern(path), methods));
      }
    }
    return new AllowedMethods(templates);
  }

  /** The methods served at this path, sorted; empty when no route has the path. */
  public Set<String> at(String path) {
    Set<String> allowed = new TreeSet<>();
    for (Template t : templates) {
      if (t.path().matcher(path).matches()) {
        t.methods().forEach(m -> allowed.add(m.name()));
      }
    }
    return allowed;
  }

  private static Pattern pattern(String path) {
    List<String> parts = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      parts.add(segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment));
    }
    return Pattern.compile(String.join("/", parts));
  }
}

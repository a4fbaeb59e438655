package dev.llmpulse.core.internal;

import dev.llmpulse.core.WireFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The user's own API paths (a gateway that renames them), each mapped to the wire format it
 * speaks. A request path matches a configured path when it equals it or ends with it at a
 * segment boundary ({@code /team-a/llm/chat} matches {@code /llm/chat}); case and trailing
 * slashes do not matter, the query is ignored. Longer configured paths win.
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public final class PathFormats {
  /** No custom paths. */
  public static final PathFormats NONE = new PathFormats(new TreeMap<>());

  private final String[] paths; // normalised, longest first
  private final WireFormat[] formats;

  private PathFormats(Map<String, WireFormat> byPath) {
    paths = new String[byPath.size()];
    formats = new WireFormat[byPath.size()];
    int i = 0;
    for (Map.Entry<String, WireFormat> e : byPath.entrySet()) {
      paths[i] = e.getKey();
      formats[i++] = e.getValue();
    }
    // Longest first, so the most specific configured path wins.
    for (int a = 1; a < paths.length; a++) {
      for (int b = a; b > 0 && paths[b].length() > paths[b - 1].length(); b--) {
        String p = paths[b];
        paths[b] = paths[b - 1];
        paths[b - 1] = p;
        WireFormat f = formats[b];
        formats[b] = formats[b - 1];
        formats[b - 1] = f;
      }
    }
  }

  /**
   * Validates and copies {@code byPath}.
   *
   * @throws IllegalArgumentException for a blank path or {@link WireFormat#UNKNOWN}
   */
  public static PathFormats of(Map<String, WireFormat> byPath) {
    TreeMap<String, WireFormat> copy = new TreeMap<>();
    for (Map.Entry<String, WireFormat> e : byPath.entrySet()) {
      copy.put(normalise(e.getKey()), e.getValue());
    }
    return copy.isEmpty() ? NONE : new PathFormats(copy);
  }

  /**
   * The normal form of a configured path: lower case, a leading slash, no trailing slash.
   *
   * @throws IllegalArgumentException when blank or {@code "/"} alone
   */
  public static String normalise(String path) {
    if (path == null || path.trim().isEmpty()) {
      throw new IllegalArgumentException("API path is blank");
    }
    String p = path.trim().toLowerCase(Locale.ROOT);
    int query = p.indexOf('?');
    if (query >= 0) p = p.substring(0, query);
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.isEmpty()) throw new IllegalArgumentException("API path is only '/': " + path);
    return p.startsWith("/") ? p : "/" + p;
  }

  /** The format configured for {@code requestPath}, or null when none matches. */
  public WireFormat formatOf(String requestPath) {
    if (paths.length == 0 || requestPath == null) return null;
    String p = requestPath.toLowerCase(Locale.ROOT);
    int query = p.indexOf('?');
    if (query >= 0) p = p.substring(0, query);
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    for (int i = 0; i < paths.length; i++) {
      String configured = paths[i];
      if (p.endsWith(configured)) return formats[i]; // configured starts with '/': a boundary
    }
    return null;
  }
}

package dev.llmpulse.core.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the distinct values of one label: the first {@code max} values pass, the rest become
 * {@code _OTHER}, so a misbehaving upstream cannot explode the number of series. Lock-free;
 * under a race the cap may be passed by at most the number of racing threads.
 */
final class LabelCap {
  static final String OTHER = "_OTHER";
  private static final int MAX_VALUE_CHARS = 200;

  private final int max;
  private final ConcurrentHashMap<String, Boolean> seen = new ConcurrentHashMap<>();

  LabelCap(int max) {
    this.max = max;
  }

  String apply(String value) {
    if (value == null || value.isEmpty()) return "";
    if (seen.containsKey(value)) return value;
    if (value.length() > MAX_VALUE_CHARS || seen.size() >= max) return OTHER;
    seen.putIfAbsent(value, Boolean.TRUE);
    return value;
  }
}

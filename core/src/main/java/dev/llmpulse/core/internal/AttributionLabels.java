package dev.llmpulse.core.internal;

import dev.llmpulse.core.Attribution;
import io.prometheus.metrics.core.metrics.Counter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The declared attribution keys of one metric set and the bounded label values of each: turns a
 * call's request tags and scope into one label value per key, counting every value that does not
 * become its own label in {@code gen_ai_client_attribution_dropped_total{reason}}.
 *
 * <p>Part of the binding contract: no compatibility promise.
 *
 * <pre>{@code
 * AttributionLabels labels = metrics.attribution();          // null: no key declared
 * if (labels != null) call.attribution(labels.resolve(requestTags, Attribution.current()));
 * }</pre>
 */
public final class AttributionLabels {
  static final String UNDECLARED_KEY = "undeclared_key";
  static final String NOT_ALLOWED = "not_allowed";
  static final String OVER_CAP = "over_cap";
  static final String TOO_LONG = "too_long";
  static final String CONTROL_CHARACTER = "control_character";

  final List<Attribution.Key> keys;
  final String[] names;
  private final KeyCap[] caps;
  private final Counter dropped;

  AttributionLabels(List<Attribution.Key> keys, Counter dropped) {
    this.keys = keys;
    this.names = new String[keys.size()];
    this.caps = new KeyCap[keys.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = keys.get(i).name();
      caps[i] = new KeyCap(keys.get(i));
    }
    this.dropped = dropped;
  }

  /**
   * Why {@code value} may not be a label ({@code too_long}, {@code control_character}), or null
   * when it may.
   */
  public static String rejection(String value) {
    if (value.length() > Attribution.MAX_VALUE_CHARS) return TOO_LONG;
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) return CONTROL_CHARACTER;
    }
    return null;
  }

  /**
   * One label value per declared key, in declaration order: the request's tag wins over the
   * scope's value; a key with neither is empty. Never throws.
   *
   * @param request the request's own tags, or null
   * @param scope the calling thread's values, or null
   */
  public String[] resolve(Attribution.Tags request, Attribution.Tags scope) {
    String[] values = new String[names.length];
    try {
      for (int i = 0; i < names.length; i++) {
        String v = request == null ? null : request.get(names[i]);
        if (v == null && scope != null) v = scope.get(names[i]);
        values[i] = v == null || v.isEmpty() ? "" : caps[i].apply(v);
      }
      if (request != null) countUndeclared(request.asMap(), null);
      if (scope != null) countUndeclared(scope.asMap(), request);
    } catch (RuntimeException e) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) values[i] = "";
      }
    }
    return values;
  }

  /** Counts each key of {@code tags} that is not declared (and not already in {@code seen}). */
  private void countUndeclared(Map<String, String> tags, Attribution.Tags seen) {
    if (tags.size() == 0) return;
    for (String key : tags.keySet()) {
      if (!isDeclared(key) && (seen == null || seen.get(key) == null)) drop(UNDECLARED_KEY);
    }
  }

  private boolean isDeclared(String key) {
    for (String name : names) {
      if (name.equals(key)) return true;
    }
    return false;
  }

  private void drop(String reason) {
    dropped.labelValues(reason).inc();
  }

  /**
   * The label values of one key: the allow-list, or the first {@code maxValues} distinct valid
   * values. Lock-free; under a race the cap may be passed by at most the number of racing
   * threads.
   */
  private final class KeyCap {
    private final Set<String> allowed;
    private final int max;
    private final ConcurrentHashMap<String, Boolean> seen;

    KeyCap(Attribution.Key key) {
      this.allowed = key.allowed().isEmpty() ? null : key.allowed();
      this.max = key.maxValues();
      this.seen = allowed == null ? new ConcurrentHashMap<>() : null;
    }

    String apply(String value) {
      if (allowed != null) {
        if (allowed.contains(value)) return value;
      } else if (seen.containsKey(value)) {
        return value;
      }
      String rejected = rejection(value);
      if (rejected != null) {
        drop(rejected);
        return Attribution.INVALID;
      }
      if (allowed != null) {
        drop(NOT_ALLOWED);
        return Attribution.OTHER;
      }
      if (seen.size() >= max) {
        drop(OVER_CAP);
        return Attribution.OTHER;
      }
      seen.putIfAbsent(value, Boolean.TRUE);
      return value;
    }
  }
}

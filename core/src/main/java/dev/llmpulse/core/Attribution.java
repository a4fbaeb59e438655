package dev.llmpulse.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import dev.llmpulse.core.internal.AttributionLabels;

/**
 * Which feature, flow or tenant a call is for: a few keys declared once in the binding's builder,
 * each with a bound on its distinct values, become labels on {@code gen_ai_client_tokens_total},
 * {@code gen_ai_client_cost_usd_total} and {@code gen_ai_client_calls_total} (never on the
 * histograms), so "who spends the money" has an answer without unbounded cardinality.
 *
 * <pre>{@code
 * LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
 *     .attribution(Attribution.key("feature").allow("refunds", "order_status", "escalation"))
 *     .attribution(Attribution.key("tenant").maxValues(50))
 *     .build();
 *
 * // per call, any binding: read on the thread that starts the call
 * try (Attribution.Scope scope = Attribution.with("feature", "refunds")) {
 *   chatModel.chat(question);
 * }
 * // per call, OkHttp: a request tag, which also survives Call.enqueue()
 * Request tagged = request.newBuilder()
 *     .tag(Attribution.Tags.class, Attribution.tags("feature", "refunds", "tenant", "acme"))
 *     .build();
 * }</pre>
 *
 * <p>Per declared key, a call's label value is: the empty string when the call has no value; the
 * value itself when it is on the allow-list or, without one, among the first {@code maxValues}
 * distinct values seen; {@link #OTHER} beyond them; {@link #INVALID} when it is longer than
 * {@link #MAX_VALUE_CHARS} characters or holds a control character (never the raw value). Values
 * of undeclared keys are ignored. Every value that does not become its own label is counted in
 * {@code gen_ai_client_attribution_dropped_total{reason}} ({@code undeclared_key},
 * {@code not_allowed}, {@code over_cap}, {@code too_long}, {@code control_character}). Never put
 * a user id, a prompt or any free text in a value: that is what the cap and allow-list refuse.
 *
 * <p>Asynchronous calls: values are captured when the call starts, on the thread that starts it.
 * A {@link Scope} therefore covers blocking calls, streams (read later, from any thread) and
 * async APIs that start their request on the calling thread (LangChain4j streaming). OkHttp's
 * {@code enqueue()} runs interceptors on its dispatcher thread: tag the request instead.
 * anthropic-java's async client starts requests on its own executor: they are untagged. On
 * your own executors, carry the scope over with {@link #current()}:
 * {@code Tags captured = Attribution.current(); executor.submit(() -> { try (Scope s =
 * Attribution.with(captured)) { ... } });}. With no key declared, LLM Pulse reads neither tags
 * nor scopes and its metrics carry no attribution labels.
 */
public final class Attribution {
  /** The label value of values beyond a key's cap or outside its allow-list. */
  public static final String OTHER = "_OTHER";
  /** The label value of a value rejected as too long or holding control characters. */
  public static final String INVALID = "_INVALID";
  /** The longest value accepted; a longer one becomes {@link #INVALID}. */
  public static final int MAX_VALUE_CHARS = 64;
  /** The most keys a binding may declare. */
  public static final int MAX_KEYS = 4;
  /** The largest {@link Key#maxValues(int)}. */
  public static final int MAX_VALUES_LIMIT = 1000;
  /** The default {@link Key#maxValues(int)}. */
  public static final int DEFAULT_MAX_VALUES = 50;

  private static final Pattern KEY_NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
  private static final Set<String> RESERVED = Collections.unmodifiableSet(new LinkedHashSet<>(
      Arrays.asList("gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
          "gen_ai_response_model", "server_address", "gen_ai_token_type", "error_type", "reason",
          "le", "quantile", "limit_type", "job", "instance")));
  private static final ThreadLocal<Tags> CURRENT = new ThreadLocal<>();

  private Attribution() {}

  /**
   * Declares a key, by its label name: lower-case letters, digits and underscores, starting with
   * a letter, at most 40 characters, none of LLM Pulse's own label names.
   *
   * @throws IllegalArgumentException when the name is not such a label name
   */
  public static Key key(String name) {
    if (name == null || !KEY_NAME.matcher(name).matches() || name.startsWith("gen_ai_")
        || RESERVED.contains(name)) {
      throw new IllegalArgumentException("attribution key '" + name + "' is not a usable label "
          + "name: lower-case letters, digits and _, starting with a letter, at most 40 "
          + "characters, not gen_ai_* nor one of " + RESERVED);
    }
    return new Key(name, DEFAULT_MAX_VALUES, null);
  }

  /**
   * Tags for one call from key/value pairs ({@code "feature", "refunds", "tenant", "acme"}); a
   * later pair wins over an earlier one of the same key, null keys and values are skipped.
   *
   * @throws IllegalArgumentException when the number of strings is odd
   */
  public static Tags tags(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("tags need key/value pairs, got "
          + keysAndValues.length + " strings");
    }
    return Tags.EMPTY.with(keysAndValues);
  }

  /**
   * Sets {@code key} to {@code value} on this thread until the scope closes, on top of the values
   * already set; calls started inside it carry the value.
   */
  public static Scope with(String key, String value) {
    return with(current().with(key, value));
  }

  /** Replaces this thread's values by {@code tags} until the scope closes. */
  public static Scope with(Tags tags) {
    Tags previous = CURRENT.get();
    CURRENT.set(tags == null || tags.values.isEmpty() ? null : tags);
    return new Scope(previous);
  }

  /** This thread's values (empty outside any scope): capture them to carry to another thread. */
  public static Tags current() {
    Tags tags = CURRENT.get();
    return tags == null ? Tags.EMPTY : tags;
  }

  /** A declared attribution key: its label name, its cap and optional allow-list. Immutable. */
  public static final class Key {
    private final String name;
    private final int maxValues;
    private final Set<String> allowed; // null: any value, up to maxValues

    private Key(String name, int maxValues, Set<String> allowed) {
      this.name = name;
      this.maxValues = maxValues;
      this.allowed = allowed;
    }

    /**
     * At most {@code max} distinct values become labels (default {@value Attribution#DEFAULT_MAX_VALUES}); later
     * values are {@link Attribution#OTHER}. Ignored with an allow-list.
     *
     * @throws IllegalArgumentException unless 1 &lt;= max &lt;= {@value Attribution#MAX_VALUES_LIMIT}
     */
    public Key maxValues(int max) {
      if (max < 1 || max > MAX_VALUES_LIMIT) {
        throw new IllegalArgumentException("maxValues of '" + name + "' must be within 1.."
            + MAX_VALUES_LIMIT + ": " + max);
      }
      return new Key(name, max, allowed);
    }

    /**
     * Only these values become labels; any other is {@link Attribution#OTHER}. Adds to the
     * values already allowed.
     *
     * @throws IllegalArgumentException when a value is empty, too long, holds a control
     *     character, or the list grows beyond {@value Attribution#MAX_VALUES_LIMIT}
     */
    public Key allow(String... values) {
      Set<String> all = allowed == null ? new LinkedHashSet<>() : new LinkedHashSet<>(allowed);
      for (String v : values) {
        if (v == null || v.isEmpty() || rejection(v) != null) {
          throw new IllegalArgumentException("attribution value '" + v + "' of '" + name
              + "' cannot be a label: empty, over " + MAX_VALUE_CHARS
              + " characters or with control characters");
        }
        all.add(v);
      }
      if (all.size() > MAX_VALUES_LIMIT) {
        throw new IllegalArgumentException("allow-list of '" + name + "' over "
            + MAX_VALUES_LIMIT + " values");
      }
      return new Key(name, maxValues, Collections.unmodifiableSet(all));
    }

    /** The label name. */
    public String name() {
      return name;
    }

    /** The cap on distinct values (the allow-list's size when there is one). */
    public int maxValues() {
      return allowed == null ? maxValues : allowed.size();
    }

    /** The allowed values, or an empty set when any value is accepted up to the cap. */
    public Set<String> allowed() {
      return allowed == null ? Collections.emptySet() : allowed;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) return false;
      Key k = (Key) o;
      return name.equals(k.name) && maxValues() == k.maxValues()
          && Objects.equals(allowed, k.allowed);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, maxValues(), allowed);
    }

    @Override
    public String toString() {
      return allowed == null ? name + "(max " + maxValues + ")" : name + allowed;
    }
  }

  /** The attribution values of one call (or one scope). Immutable. */
  public static final class Tags {
    static final Tags EMPTY = new Tags(Collections.emptyMap());

    private final Map<String, String> values;

    private Tags(Map<String, String> values) {
      this.values = values;
    }

    /** These values plus {@code key}'s; a null key or value leaves them unchanged. */
    public Tags with(String key, String value) {
      return with(new String[] {key, value});
    }

    private Tags with(String[] keysAndValues) {
      Map<String, String> all = new LinkedHashMap<>(values);
      for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
        if (keysAndValues[i] != null && keysAndValues[i + 1] != null) {
          all.put(keysAndValues[i], keysAndValues[i + 1]);
        }
      }
      return all.size() == values.size() && all.equals(values) ? this
          : new Tags(Collections.unmodifiableMap(all));
    }

    /** The value of {@code key}, or null. */
    public String get(String key) {
      return values.get(key);
    }

    /** All values by key, unmodifiable. */
    public Map<String, String> asMap() {
      return values;
    }

    @Override
    public String toString() {
      return values.toString();
    }
  }

  /** Restores the thread's previous values when closed. Close it on the thread that opened it. */
  public static final class Scope implements AutoCloseable {
    private final Tags previous;

    private Scope(Tags previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  private static String rejection(String value) {
    return AttributionLabels.rejection(value);
  }
}

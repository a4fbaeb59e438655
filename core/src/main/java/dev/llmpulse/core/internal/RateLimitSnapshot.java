package dev.llmpulse.core.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * The rate-limit state one LLM response reported in its headers: per {@link LimitType} the limit,
 * the remaining quota and when the window resets, plus the Retry-After of a throttled response.
 * Anything not reported, or reported as garbage, is unknown ({@code NaN}), never 0.
 *
 * <h2>Header families</h2>
 * <ol>
 *   <li><b>Anthropic</b>: {@code anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-
 *       {limit,remaining,reset}}, resets in RFC 3339.
 *   <li><b>OpenAI, Groq, Azure OpenAI</b>: {@code x-ratelimit-{limit,remaining,reset}-{requests,
 *       tokens}}, resets as Go durations ({@code 6m0s}, {@code 1m3.57s}, {@code 20ms},
 *       {@code 500µs}) or, from Azure, bare integer seconds.
 *   <li><b>Mistral</b>: {@code x-ratelimit-{limit,remaining}-{tokens,req}-minute}; the
 *       {@code -month} window is used only for a type whose minute window is absent. Mistral
 *       sends no reset, so it stays unknown.
 *   <li><b>IETF</b> (requests): {@code RateLimit} in the draft-07 form
 *       {@code limit=100, remaining=50, reset=30} or the structured form of later drafts
 *       {@code "default";r=50;t=30} with the limit {@code q} from the same-named
 *       {@code RateLimit-Policy} item (only policies counting requests; of several, the one with
 *       the fewest remaining); then the older drafts' separate {@code RateLimit-Limit},
 *       {@code RateLimit-Remaining}, {@code RateLimit-Reset}.
 *   <li><b>Generic</b> (requests): {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining},
 *       {@code X-RateLimit-Reset}.
 * </ol>
 *
 * <p><b>Precedence.</b> Families are read in the order above. A limit type belongs to the first
 * family that sends its remaining header with a usable value; that family then supplies the type's
 * limit, remaining and reset together (two families are never mixed within a type, because their
 * windows may differ), and later families only fill types still unknown. So provider-specific
 * headers beat IETF ones, which beat generic {@code X-RateLimit-*}. A family is recognised by its
 * remaining header: a limit or reset without it is ignored.
 *
 * <p><b>Resets</b> are absolute unix seconds. A bare number is read by magnitude: above 1e12 epoch
 * milliseconds, above 1e9 epoch seconds, else seconds from {@code nowEpochMillis}. Any reset header
 * also accepts a Go duration, RFC 3339 or an HTTP date.
 *
 * <p><b>Retry-After</b> is read only for 429, 503 and 529: {@code retry-after-ms} first (the more
 * precise one, as the OpenAI SDKs do), else {@code Retry-After} as seconds or an HTTP date (a past
 * date gives 0).
 *
 * <p>Counts are plain non-negative decimals; signs, exponents, {@code NaN}, {@code Infinity} and
 * overflow are unknown. Parsing never throws for any header value, compiles no regex and, when no
 * rate-limit header is present, makes about a dozen lookups and allocates nothing (it returns
 * {@link #EMPTY}). Instances are immutable.
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public final class RateLimitSnapshot {

  /** The kind of quota a limit counts; {@link #label()} is the {@code limit_type} label value. */
  public enum LimitType {
    REQUESTS("requests"),
    TOKENS("tokens"),
    INPUT_TOKENS("input_tokens"),
    OUTPUT_TOKENS("output_tokens");

    private final String label;

    LimitType(String label) {
      this.label = label;
    }

    /** The metric label value: {@code requests}, {@code tokens}, {@code input_tokens}, … */
    public String label() {
      return label;
    }
  }

  /** Nothing known. */
  public static final RateLimitSnapshot EMPTY = new RateLimitSnapshot(nanValues());

  private static final LimitType[] TYPES = LimitType.values();

  private final double[] values;
  private final boolean empty;

  private RateLimitSnapshot(double[] values) {
    this.values = values;
    boolean none = true;
    for (double v : values) {
      none &= Double.isNaN(v);
    }
    this.empty = none;
  }

  private static double[] nanValues() {
    double[] v = new double[RateLimitHeaders.SLOTS];
    Arrays.fill(v, Double.NaN);
    return v;
  }

  /**
   * Reads the rate-limit headers of one response.
   *
   * @param headers case-insensitive lookup of a header's value, null when absent (OkHttp's
   *     {@code Headers::get} fits; it returns the last occurrence). Exceptions it throws propagate.
   *     Names are always asked in lower case, so a lookup over lower-cased names may use equals.
   * @param httpStatus the response status; Retry-After counts only for 429, 503 and 529
   * @param nowEpochMillis the time relative resets count from (the response's arrival)
   * @return the snapshot, {@link #EMPTY} when nothing usable was found
   */
  public static RateLimitSnapshot parse(
      Function<String, String> headers, int httpStatus, long nowEpochMillis) {
    Objects.requireNonNull(headers, "headers");
    double[] values = RateLimitHeaders.parse(headers, httpStatus, nowEpochMillis);
    return values == null ? EMPTY : new RateLimitSnapshot(values);
  }

  /**
   * True for a header name {@link #parse} may look up. A binding that has the response's headers
   * as a list can find these in one pass and answer parse's lookups from them alone (a response
   * without rate-limit headers then costs no lookup at all).
   */
  public static boolean mayReadHeader(String name) {
    return name != null && RateLimitHeaders.mayBeRead(name);
  }

  /**
   * {@code header.equalsIgnoreCase(asked)} (both non-null), faster for the ASCII names of HTTP
   * headers: what a binding's lookup for {@link #parse} may compare names with.
   */
  public static boolean isHeader(String header, String asked) {
    return RateLimitHeaders.equalsIgnoringCase(header, asked);
  }

  /** True when no value at all is known. */
  public boolean isEmpty() {
    return empty;
  }

  /** The quota of the window, NaN when unknown. */
  public double limit(LimitType t) {
    return values[t.ordinal() * 3 + RateLimitHeaders.LIMIT];
  }

  /** What is left of the quota, NaN when unknown. */
  public double remaining(LimitType t) {
    return values[t.ordinal() * 3 + RateLimitHeaders.REMAINING];
  }

  /** When the window resets, as absolute unix seconds (fractional), NaN when unknown. */
  public double resetEpochSeconds(LimitType t) {
    return values[t.ordinal() * 3 + RateLimitHeaders.RESET];
  }

  /**
   * Seconds the server asked to wait, NaN unless the status was 429, 503 or 529 and
   * {@code retry-after-ms} or {@code Retry-After} was usable.
   */
  public double retryAfterSeconds() {
    return values[RateLimitHeaders.RETRY_AFTER];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RateLimitSnapshot && Arrays.equals(values, ((RateLimitSnapshot) o).values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  /** Known values only, e.g. {@code RateLimitSnapshot{requests: limit=50 remaining=49 reset=…}}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("RateLimitSnapshot{");
    String sep = "";
    for (LimitType t : TYPES) {
      double l = limit(t);
      double r = remaining(t);
      double s = resetEpochSeconds(t);
      if (Double.isNaN(l) && Double.isNaN(r) && Double.isNaN(s)) {
        continue;
      }
      sb.append(sep).append(t.label()).append(':');
      if (!Double.isNaN(l)) {
        sb.append(" limit=").append(l);
      }
      if (!Double.isNaN(r)) {
        sb.append(" remaining=").append(r);
      }
      if (!Double.isNaN(s)) {
        sb.append(" reset=").append(s);
      }
      sep = ", ";
    }
    if (!Double.isNaN(retryAfterSeconds())) {
      sb.append(sep).append("retryAfter=").append(retryAfterSeconds());
    }
    return sb.append('}').toString();
  }
}

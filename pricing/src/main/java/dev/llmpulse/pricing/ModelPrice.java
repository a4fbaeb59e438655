package dev.llmpulse.pricing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The list price of one model: rates per million tokens in one currency for input, cache reads,
 * cache writes (five-minute and one-hour), output and reasoning, plus long-context tiers, with
 * the date the price was taken and its source.
 *
 * <p>A rate that is not given falls back to its nearest relative: cache reads and writes to the
 * input rate, one-hour writes to the five-minute write rate, reasoning to the output rate. A
 * long-context tier applies to the WHOLE request once the prompt (all input tokens, cached or
 * not) is above its threshold, as Anthropic and Gemini bill; a rate the tier does not state is
 * the base's stated rate, or else derived from the tier's own rates as above.
 *
 * <pre>{@code
 * ModelPrice sonnet = ModelPrice.builder()
 *     .currency("USD")
 *     .input(3.00).cacheRead(0.30).cacheWrite(3.75).cacheWrite1h(6.00).output(15.00)
 *     .longContextAbove(200_000).input(6.00).cacheRead(0.60).cacheWrite(7.50).output(22.50)
 *     .date("2026-07-24").source("https://www.anthropic.com/pricing")
 *     .build();
 * }</pre>
 */
public final class ModelPrice {
  private final String currency;
  private final Rates base;
  private final long[] thresholds;
  private final Rates[] tiers;
  private final String date;
  private final String source;
  private final String provider;

  private ModelPrice(String currency, Rates base, long[] thresholds, Rates[] tiers, String date,
      String source, String provider) {
    this.currency = currency;
    this.base = base;
    this.thresholds = thresholds;
    this.tiers = tiers;
    this.date = date;
    this.source = source;
    this.provider = provider;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** ISO 4217 code of the currency the rates are in, e.g. {@code USD} or {@code CNY}. */
  public String currency() {
    return currency;
  }

  /** The date the price was taken ({@code yyyy-MM-dd}), or null if the table did not say. */
  public String date() {
    return date;
  }

  /** Where the price was taken from, or null if the table did not say. */
  public String source() {
    return source;
  }

  /** The vendor whose list price this is (e.g. {@code openai}), or null if not said. */
  public String provider() {
    return provider;
  }

  /** Base input rate per million tokens. */
  public double inputPerMillion() {
    return base.input * 1e6;
  }

  /** Base cache-read rate per million tokens. */
  public double cacheReadPerMillion() {
    return base.cacheRead * 1e6;
  }

  /** Base five-minute cache-write rate per million tokens. */
  public double cacheWritePerMillion() {
    return base.cacheWrite * 1e6;
  }

  /** Base one-hour cache-write rate per million tokens. */
  public double cacheWrite1hPerMillion() {
    return base.cacheWrite1h * 1e6;
  }

  /** Base output rate per million tokens. */
  public double outputPerMillion() {
    return base.output * 1e6;
  }

  /** Base reasoning rate per million tokens. */
  public double reasoningPerMillion() {
    return base.reasoning * 1e6;
  }

  /** Prompt sizes (exclusive) above which a long-context tier applies, ascending. */
  public List<Long> longContextThresholds() {
    List<Long> out = new ArrayList<>(thresholds.length);
    for (long t : thresholds) out.add(t);
    return out;
  }

  /** The rates that bill a request whose prompt holds {@code inputTokens} tokens in all. */
  Rates ratesFor(long inputTokens) {
    for (int i = thresholds.length - 1; i >= 0; i--) {
      if (inputTokens > thresholds[i]) return tiers[i];
    }
    return base;
  }

  Rates baseRates() {
    return base;
  }

  long[] thresholds() {
    return thresholds;
  }

  Rates tier(int i) {
    return tiers[i];
  }

  /** True when both bill every request alike (currency, rates and tiers). */
  boolean sameRatesAs(ModelPrice o, double relativeTolerance) {
    if (!currency.equals(o.currency) || !Arrays.equals(thresholds, o.thresholds)) return false;
    if (!base.sameAs(o.base, relativeTolerance)) return false;
    for (int i = 0; i < tiers.length; i++) {
      if (!tiers[i].sameAs(o.tiers[i], relativeTolerance)) return false;
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ModelPrice{").append(currency).append(' ').append(base);
    for (int i = 0; i < thresholds.length; i++) {
      sb.append(", above ").append(thresholds[i]).append(": ").append(tiers[i]);
    }
    if (date != null) sb.append(", date=").append(date);
    if (source != null) sb.append(", source=").append(source);
    return sb.append('}').toString();
  }

  /**
   * Builds a {@link ModelPrice}. Rates are per million tokens; after {@link #longContextAbove}
   * the rate setters fill that tier.
   */
  public static final class Builder {
    private String currency = "USD";
    private final double[] base = nanArray();
    private final List<long[]> tierThresholds = new ArrayList<>();
    private final List<double[]> tierRates = new ArrayList<>();
    private double[] current = base;
    private String date;
    private String source;
    private String provider;

    private Builder() {}

    /** ISO 4217 code of the rates' currency; default {@code USD}. */
    public Builder currency(String code) {
      this.currency = normalizeCurrency(code);
      return this;
    }

    public Builder input(double perMillion) {
      return set(Rates.INPUT, perMillion / 1e6);
    }

    public Builder cacheRead(double perMillion) {
      return set(Rates.CACHE_READ, perMillion / 1e6);
    }

    /** Cache write with the default (five-minute) lifetime. */
    public Builder cacheWrite(double perMillion) {
      return set(Rates.CACHE_WRITE, perMillion / 1e6);
    }

    /** Cache write with a one-hour lifetime (Anthropic). */
    public Builder cacheWrite1h(double perMillion) {
      return set(Rates.CACHE_WRITE_1H, perMillion / 1e6);
    }

    public Builder output(double perMillion) {
      return set(Rates.OUTPUT, perMillion / 1e6);
    }

    /** Reasoning tokens, when billed apart from output. */
    public Builder reasoning(double perMillion) {
      return set(Rates.REASONING, perMillion / 1e6);
    }

    /**
     * Starts a long-context tier: a request whose prompt holds more than {@code inputTokens}
     * tokens is billed entirely at the rates set next.
     */
    public Builder longContextAbove(long inputTokens) {
      if (inputTokens <= 0) {
        throw new IllegalArgumentException("long-context threshold must be > 0: " + inputTokens);
      }
      current = nanArray();
      tierThresholds.add(new long[] {inputTokens});
      tierRates.add(current);
      return this;
    }

    public Builder date(String date) {
      this.date = date;
      return this;
    }

    public Builder source(String source) {
      this.source = source;
      return this;
    }

    /** The vendor whose list price this is, e.g. {@code openai}; informational. */
    public Builder provider(String provider) {
      this.provider = provider;
      return this;
    }

    Builder set(int field, double perToken) {
      if (!(perToken >= 0) || Double.isInfinite(perToken)) {
        throw new IllegalArgumentException(
            Rates.JSON_NAMES[field] + " must be a finite price >= 0, was " + perToken * 1e6);
      }
      current[field] = perToken;
      return this;
    }

    /**
     * @throws IllegalArgumentException if the base input or output rate is missing, or tiers are
     *     not in ascending order
     */
    public ModelPrice build() {
      if (Double.isNaN(base[Rates.INPUT])) throw new IllegalArgumentException("input price missing");
      if (Double.isNaN(base[Rates.OUTPUT])) {
        throw new IllegalArgumentException("output price missing");
      }
      Rates baseRates = Rates.resolve(base, null);
      int n = tierThresholds.size();
      long[] thresholds = new long[n];
      Rates[] tiers = new Rates[n];
      for (int i = 0; i < n; i++) {
        thresholds[i] = tierThresholds.get(i)[0];
        if (i > 0 && thresholds[i] <= thresholds[i - 1]) {
          throw new IllegalArgumentException("long-context thresholds must ascend: "
              + thresholds[i - 1] + " then " + thresholds[i]);
        }
        tiers[i] = Rates.resolve(tierRates.get(i), base);
      }
      return new ModelPrice(currency, baseRates, thresholds, tiers, date, source, provider);
    }

    private static double[] nanArray() {
      double[] a = new double[Rates.COUNT];
      Arrays.fill(a, Double.NaN);
      return a;
    }
  }

  static String normalizeCurrency(String code) {
    if (code == null) throw new IllegalArgumentException("currency code missing");
    String c = code.trim().toUpperCase(Locale.ROOT);
    if (c.length() != 3 || !c.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z')) {
      throw new IllegalArgumentException("currency must be an ISO 4217 code like USD or CNY: "
          + code);
    }
    return c;
  }
}

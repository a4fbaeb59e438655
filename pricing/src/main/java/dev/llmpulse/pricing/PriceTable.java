package dev.llmpulse.pricing;

import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.TokenUsage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prices LLM calls from a table of list prices: the {@link CostModel} the interceptor uses.
 *
 * <p>Cost is in US dollars, split into uncached input, cache reads, cache writes and output
 * (reasoning included), the components of {@code gen_ai_client_cost_usd_total}. Token semantics
 * follow {@link TokenUsage}: cache reads and writes are part of the input and billed at their own
 * rates, the rest of the input at the input rate; reasoning is part of the output and billed once,
 * at the reasoning rate if the model has one. Above a long-context threshold the whole request is
 * billed at the tier's rates. A model without a price gives {@code null} (the call is counted as
 * unpriced), never zero.
 *
 * <p>Model names match exactly, then without a provider prefix ({@code openai/gpt-4o}), without
 * an {@code @version}, {@code -latest} or a date suffix ({@code -2024-08-06}, {@code -20250929});
 * entries keyed {@code <provider>/<model>} win for calls of that provider. Azure deployment names
 * map to models through {@link Builder#azureDeployment}.
 *
 * <p>Currency: an entry priced in another currency (the bundled Chinese models are in CNY) is
 * priced only once its rate is set with {@link Builder#currencyRate}; until then its calls count
 * as unpriced. There is deliberately no built-in exchange rate: a stale guess would be a silently
 * wrong number. A per-provider multiplier models resellers and discounts; a reseller that bills
 * ¥1 per $1 of list price is {@code providerMultiplier("reseller", 1.0, "CNY")}.
 *
 * <pre>{@code
 * PriceTable prices = PriceTable.builder()
 *     .prices(PriceTable.bundled())                      // dated list prices
 *     .prices(PriceTable.fromJson(Files.newInputStream(ourContract)))  // later layers win
 *     .currencyRate("CNY", 0.14)                         // USD per yuan, set by you
 *     .providerMultiplier("holysheep", 1.0, "CNY")       // bills ¥1 per $1 of list price
 *     .azureDeployment("prod-chat", "gpt-4o")
 *     .build();
 * CallCost cost = prices.cost("openai", "gpt-4o-2024-08-06",
 *     TokenUsage.builder().input(3663).cacheRead(3584).output(117).build());
 * }</pre>
 *
 * <p>Thread-safe and immutable. {@link #cost} never throws and caches name resolution in a
 * bounded map, so it is cheap on the calling thread.
 */
public final class PriceTable implements CostModel {
  private static final int RESOLVE_CACHE_LIMIT = 4096;
  private static final Object UNPRICED = new Object();
  private static final String BUNDLED_RESOURCE = "bundled-prices.json";

  private final Map<String, ModelPrice> prices;
  private final Map<String, Double> usdPerUnit;
  private final Map<String, ProviderBilling> providers;
  private final Map<String, String> deployments;
  private final ImportReport report;
  private final ConcurrentHashMap<String, Object> resolved = new ConcurrentHashMap<>();
  private final AtomicInteger resolvedCount = new AtomicInteger();

  private PriceTable(Map<String, ModelPrice> prices, Map<String, Double> usdPerUnit,
      Map<String, ProviderBilling> providers, Map<String, String> deployments,
      ImportReport report) {
    this.prices = Collections.unmodifiableMap(new HashMap<>(prices));
    this.usdPerUnit = Collections.unmodifiableMap(new HashMap<>(usdPerUnit));
    this.providers = Collections.unmodifiableMap(new HashMap<>(providers));
    this.deployments = Collections.unmodifiableMap(new HashMap<>(deployments));
    this.report = report;
  }

  /**
   * The table shipped with this library: list prices of the models customers use, each dated
   * and with its source. Chinese models are priced in CNY: set a rate to price them.
   */
  public static PriceTable bundled() {
    return BundledHolder.TABLE;
  }

  /**
   * Reads our own format, the one the bundled table uses. Rates are per million tokens; an
   * entry needs {@code input}, {@code output} and a {@code currency} (its own or the table's)
   * and may have {@code cache_read}, {@code cache_write}, {@code cache_write_1h},
   * {@code reasoning}, {@code long_context} tiers, {@code aliases}, {@code provider},
   * {@code date}, {@code source} and {@code note}:
   *
   * <pre>{@code
   * {"format": "llmpulse-prices/1", "date": "2026-07-24", "models": {
   *   "claude-sonnet-4-5": {"provider": "anthropic", "currency": "USD",
   *     "input": 3.0, "cache_read": 0.3, "cache_write": 3.75, "cache_write_1h": 6.0,
   *     "output": 15.0,
   *     "long_context": [{"above_input_tokens": 200000, "input": 6.0, "output": 22.5}],
   *     "source": "https://www.anthropic.com/pricing"}}}
   * }</pre>
   *
   * @throws IllegalArgumentException if the table is malformed; the message names the entry and
   *     field (unknown fields, negative or non-numeric prices and duplicate names are errors)
   * @throws UncheckedIOException if the stream cannot be read
   */
  public static PriceTable fromJson(InputStream in) {
    ImportReport.Counter counter = new ImportReport.Counter();
    Map<String, ModelPrice> entries = JsonTableReader.read(in, counter);
    return new PriceTable(entries, Collections.emptyMap(), Collections.emptyMap(),
        Collections.emptyMap(), counter.freeze());
  }

  /**
   * Reads LiteLLM's {@code model_prices_and_context_window.json}. Entries without per-token
   * prices (images, audio by the second, search by the query, ...) are skipped and counted in
   * {@link #importReport()}; batch, flex and priority rates are ignored (a response does not say
   * which tier served it).
   *
   * @throws IllegalArgumentException if an entry is malformed; the message names it and the field
   * @throws UncheckedIOException if the stream cannot be read
   */
  public static PriceTable fromLiteLlm(InputStream in) {
    ImportReport.Counter counter = new ImportReport.Counter();
    Map<String, ModelPrice> entries = LiteLlmImporter.read(in, counter);
    return new PriceTable(entries, Collections.emptyMap(), Collections.emptyMap(),
        Collections.emptyMap(), counter.freeze());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What building this table loaded and skipped, summed over its layers. */
  public ImportReport importReport() {
    return report;
  }

  /**
   * The price that {@link #cost} would use for this call, after name matching, or null when the
   * model is unknown. It is returned even when its currency has no rate set (then {@link #cost}
   * gives null).
   */
  public ModelPrice price(String providerName, String model) {
    Resolved r = resolve(providerName, model);
    return r == null ? null : r.price;
  }

  /**
   * @return the call's cost in USD, or null when the model has no price or its currency no rate
   */
  @Override
  public CallCost cost(String providerName, String model, TokenUsage usage) {
    try {
      if (usage == null || !usage.isKnown()) return null;
      Resolved r = resolve(providerName, model);
      if (r == null || Double.isNaN(r.usdFactor)) return null;
      return compute(r.price, usage, r.usdFactor);
    } catch (RuntimeException e) {
      return null; // a bug here must not reach the application; the call counts as unpriced
    }
  }

  static CallCost compute(ModelPrice price, TokenUsage u, double usdFactor) {
    Rates r = price.ratesFor(u.inputTokens());
    long cacheRead = u.cacheReadTokens();
    long cacheWrite = u.cacheCreationTokens();
    long cacheWrite1h = Math.min(u.cacheCreation1hTokens(), cacheWrite);
    long output = u.outputTokens();
    long reasoning = Math.min(u.reasoningTokens(), output);
    double input = u.uncachedInputTokens() * r.input;
    double read = cacheRead * r.cacheRead;
    double write = (cacheWrite - cacheWrite1h) * r.cacheWrite + cacheWrite1h * r.cacheWrite1h;
    double out = (output - reasoning) * r.output + reasoning * r.reasoning;
    return CallCost.ofUsd(input * usdFactor, read * usdFactor, write * usdFactor,
        out * usdFactor);
  }

  private Resolved resolve(String providerName, String model) {
    String modelKey = ModelNames.key(model);
    if (modelKey.isEmpty()) return null;
    String providerKey = ModelNames.key(providerName);
    String cacheKey = providerKey + '\n' + modelKey;
    Object r = resolved.get(cacheKey);
    if (r == null) {
      r = resolveUncached(providerKey, modelKey);
      if (resolvedCount.incrementAndGet() > RESOLVE_CACHE_LIMIT
          || resolved.putIfAbsent(cacheKey, r) != null) {
        resolvedCount.decrementAndGet(); // full (names are resolved uncached) or already there
      }
    }
    return r == UNPRICED ? null : (Resolved) r;
  }

  private Object resolveUncached(String providerKey, String modelKey) {
    String name = deployments.getOrDefault(modelKey, modelKey);
    ModelPrice p = find(providerKey, name);
    if (p == null) return UNPRICED;
    return new Resolved(p, usdFactor(providerKey, p.currency()));
  }

  private ModelPrice find(String providerKey, String name) {
    List<String> prefixes = ModelNames.providerPrefixes(providerKey);
    for (String candidate : ModelNames.candidates(name)) {
      for (String prefix : prefixes) {
        ModelPrice p = prices.get(prefix + candidate);
        if (p != null) return p;
      }
      ModelPrice p = prices.get(candidate);
      if (p != null) return p;
    }
    return null;
  }

  /** USD per unit of the entry's currency, after the provider's multiplier; NaN if unknown. */
  private double usdFactor(String providerKey, String currency) {
    double factor = toUsd(currency);
    ProviderBilling billing = providers.get(providerKey);
    if (billing != null) factor *= billing.multiplier * toUsd(billing.currency);
    return factor;
  }

  private double toUsd(String currency) {
    if ("USD".equals(currency)) return 1.0;
    Double rate = usdPerUnit.get(currency);
    return rate == null ? Double.NaN : rate;
  }

  int resolvedCacheSize() {
    return resolved.size();
  }

  /** Entries by lower-case name, aliases included (tests). */
  Map<String, ModelPrice> entries() {
    return prices;
  }

  private static final class Resolved {
    final ModelPrice price;
    final double usdFactor;

    Resolved(ModelPrice price, double usdFactor) {
      this.price = price;
      this.usdFactor = usdFactor;
    }
  }

  private static final class ProviderBilling {
    final double multiplier;
    final String currency;

    ProviderBilling(double multiplier, String currency) {
      this.multiplier = multiplier;
      this.currency = currency;
    }
  }

  private static final class BundledHolder {
    static final PriceTable TABLE = load();

    private static PriceTable load() {
      try (InputStream in = PriceTable.class.getResourceAsStream(BUNDLED_RESOURCE)) {
        if (in == null) throw new IllegalStateException("missing resource " + BUNDLED_RESOURCE);
        return fromJson(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Assembles a table from layers and settings. Layers added later win, entry by entry; settings
   * of a layer (rates, multipliers, deployments) are carried over, later ones winning too.
   */
  public static final class Builder {
    private final Map<String, ModelPrice> prices = new LinkedHashMap<>();
    private final Map<String, Double> usdPerUnit = new HashMap<>();
    private final Map<String, ProviderBilling> providers = new HashMap<>();
    private final Map<String, String> deployments = new HashMap<>();
    private final ImportReport.Counter report = new ImportReport.Counter();

    private Builder() {}

    /** Adds a table's entries over those already added (user tables after the bundled one). */
    public Builder prices(PriceTable table) {
      prices.putAll(table.prices);
      usdPerUnit.putAll(table.usdPerUnit);
      providers.putAll(table.providers);
      deployments.putAll(table.deployments);
      report.add(table.report);
      return this;
    }

    /** Adds or replaces one model's price. */
    public Builder price(String model, ModelPrice price) {
      String key = ModelNames.key(model);
      if (key.isEmpty()) throw new IllegalArgumentException("model name is empty");
      if (price == null) throw new IllegalArgumentException("price of " + model + " is null");
      prices.put(key, price);
      return this;
    }

    /**
     * Sets how many US dollars one unit of {@code currency} is worth, e.g.
     * {@code currencyRate("CNY", 0.14)}. Entries in a currency without a rate stay unpriced.
     */
    public Builder currencyRate(String currency, double usdPerUnit) {
      String code = ModelPrice.normalizeCurrency(currency);
      if (!(usdPerUnit > 0) || Double.isInfinite(usdPerUnit)) {
        throw new IllegalArgumentException("rate of " + code + " must be a finite number > 0: "
            + usdPerUnit);
      }
      this.usdPerUnit.put(code, usdPerUnit);
      return this;
    }

    /**
     * Bills calls of {@code provider} (its {@code gen_ai_provider_name}) at {@code multiplier}
     * times the list price: 0.8 for a 20% discount, 1.1 for a 10% markup.
     */
    public Builder providerMultiplier(String provider, double multiplier) {
      return providerMultiplier(provider, multiplier, "USD");
    }

    /**
     * Bills calls of {@code provider} at {@code multiplier} units of {@code billingCurrency} per
     * US dollar of list price: a reseller charging ¥1 per $1 of list price is
     * {@code providerMultiplier("reseller", 1.0, "CNY")} (and needs a CNY rate).
     */
    public Builder providerMultiplier(String provider, double multiplier, String billingCurrency) {
      String key = ModelNames.key(provider);
      if (key.isEmpty()) throw new IllegalArgumentException("provider name is empty");
      if (!(multiplier >= 0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier of " + provider
            + " must be a finite number >= 0: " + multiplier);
      }
      providers.put(key, new ProviderBilling(multiplier,
          ModelPrice.normalizeCurrency(billingCurrency)));
      return this;
    }

    /** Prices calls that report the Azure deployment name {@code deployment} as {@code model}. */
    public Builder azureDeployment(String deployment, String model) {
      String d = ModelNames.key(deployment);
      String m = ModelNames.key(model);
      if (d.isEmpty() || m.isEmpty()) {
        throw new IllegalArgumentException("deployment and model names must not be empty");
      }
      deployments.put(d, m);
      return this;
    }

    public PriceTable build() {
      return new PriceTable(prices, usdPerUnit, providers, deployments, report.freeze());
    }
  }

  /**
   * What an import loaded and what it skipped, counted by reason: {@value #NOT_A_MODEL} (LiteLLM's
   * {@code sample_spec}), {@value #NO_TOKEN_PRICE} (priced per image, second, character, query,
   * ...), {@value #NO_OUTPUT_PRICE} (a generating model with an input price only),
   * {@value #UNSUPPORTED_TIERED_PRICING} (tiers that are not contiguous prompt-size ranges),
   * {@value #DUPLICATE_NAME} (a name repeated with another case, same prices: one is kept) and
   * {@value #CONFLICTING_DUPLICATE_NAME} (repeated with different prices: none is kept, rather
   * than guess).
   *
   * <pre>{@code
   * ImportReport r = PriceTable.fromLiteLlm(in).importReport();
   * log.info("prices: {}", r); // loaded 2950, skipped 32 (no_token_price=30, not_a_model=1, ...)
   * }</pre>
   */
  public static final class ImportReport {
    public static final String NOT_A_MODEL = "not_a_model";
    public static final String NO_TOKEN_PRICE = "no_token_price";
    public static final String NO_OUTPUT_PRICE = "no_output_price";
    public static final String UNSUPPORTED_TIERED_PRICING = "unsupported_tiered_pricing";
    public static final String DUPLICATE_NAME = "duplicate_name";
    public static final String CONFLICTING_DUPLICATE_NAME = "conflicting_duplicate_name";

    private final int loaded;
    private final Map<String, Integer> skipped;

    private ImportReport(int loaded, Map<String, Integer> skipped) {
      this.loaded = loaded;
      this.skipped = Collections.unmodifiableMap(new TreeMap<>(skipped));
    }

    /** Entries loaded (aliases not counted). */
    public int loaded() {
      return loaded;
    }

    /** Entries skipped, by reason. */
    public Map<String, Integer> skipped() {
      return skipped;
    }

    public int skipped(String reason) {
      return skipped.getOrDefault(reason, 0);
    }

    public int skippedTotal() {
      int n = 0;
      for (int v : skipped.values()) n += v;
      return n;
    }

    @Override
    public String toString() {
      return "loaded " + loaded + ", skipped " + skippedTotal()
          + (skipped.isEmpty() ? "" : " " + skipped);
    }

    static final class Counter {
      int loaded;
      final Map<String, Integer> skipped = new TreeMap<>();

      void skip(String reason) {
        skipped.merge(reason, 1, Integer::sum);
      }

      void add(ImportReport r) {
        loaded += r.loaded;
        r.skipped.forEach((k, v) -> skipped.merge(k, v, Integer::sum));
      }

      ImportReport freeze() {
        return new ImportReport(loaded, skipped);
      }
    }
  }
}

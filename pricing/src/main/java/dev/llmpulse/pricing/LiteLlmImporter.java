package dev.llmpulse.pricing;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads LiteLLM's {@code model_prices_and_context_window.json}. Per-token fields used:
 * {@code input_cost_per_token}, {@code cache_read_input_token_cost},
 * {@code cache_creation_input_token_cost}, {@code cache_creation_input_token_cost_above_1hr},
 * {@code output_cost_per_token}, {@code output_cost_per_reasoning_token}, each also with an
 * {@code _above_<N>k_tokens} suffix (a long-context tier), and {@code tiered_pricing} ranges.
 * Batch, flex, priority and regional variants are ignored: a response does not say which tier
 * served it, so the standard rate is used. Audio and image tokens are not told apart by the
 * usage we see and bill at the text rate.
 */
final class LiteLlmImporter {
  private static final String SKIP_NOT_A_MODEL = PriceTable.ImportReport.NOT_A_MODEL;
  private static final String SKIP_NO_TOKEN_PRICE = PriceTable.ImportReport.NO_TOKEN_PRICE;
  private static final String SKIP_NO_OUTPUT_PRICE = PriceTable.ImportReport.NO_OUTPUT_PRICE;
  private static final String SKIP_DUPLICATE = PriceTable.ImportReport.DUPLICATE_NAME;
  private static final String SKIP_CONFLICTING_DUPLICATE =
      PriceTable.ImportReport.CONFLICTING_DUPLICATE_NAME;
  private static final String SKIP_UNSUPPORTED_TIERS =
      PriceTable.ImportReport.UNSUPPORTED_TIERED_PRICING;

  /** Longest first, so {@code ..._cost_above_1hr} is not read as {@code ..._cost} + suffix. */
  private static final String[] FIELDS = {
      "cache_creation_input_token_cost_above_1hr",
      "cache_creation_input_token_cost",
      "output_cost_per_reasoning_token",
      "cache_read_input_token_cost",
      "output_cost_per_token",
      "input_cost_per_token",
  };
  private static final int[] FIELD_INDEX = {
      Rates.CACHE_WRITE_1H, Rates.CACHE_WRITE, Rates.REASONING, Rates.CACHE_READ, Rates.OUTPUT,
      Rates.INPUT,
  };
  private static final String SOURCE = "LiteLLM model_prices_and_context_window.json";

  private LiteLlmImporter() {}

  static Map<String, ModelPrice> read(InputStream in, PriceTable.ImportReport.Counter report) {
    Map<String, Object> root = JsonTree.readObject(in, "LiteLLM price table");
    Map<String, ModelPrice> out = new LinkedHashMap<>();
    Set<String> conflicting = new HashSet<>();
    for (Map.Entry<String, Object> e : root.entrySet()) {
      String name = e.getKey();
      if (name.equals("sample_spec")) {
        report.skip(SKIP_NOT_A_MODEL);
        continue;
      }
      Map<String, Object> node = JsonTree.object(e.getValue());
      if (node == null) {
        throw new IllegalArgumentException("LiteLLM price table entry \"" + name
            + "\": must be an object, was " + JsonTree.kind(e.getValue()));
      }
      String reason;
      ModelPrice.Builder b = ModelPrice.builder().currency("USD");
      Object tiered = node.get("tiered_pricing");
      if (node.containsKey("input_cost_per_token")) {
        reason = flat(b, node, name);
      } else if (tiered != null) {
        reason = tiered(b, tiered, name);
      } else {
        reason = SKIP_NO_TOKEN_PRICE;
      }
      if (reason != null) {
        report.skip(reason);
        continue;
      }
      Object source = node.get("source");
      b.source(source instanceof String ? (String) source : SOURCE);
      Object provider = node.get("litellm_provider");
      if (provider instanceof String) b.provider((String) provider);
      ModelPrice price;
      try {
        price = b.build();
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("LiteLLM price table entry \"" + name + "\": "
            + ex.getMessage(), ex);
      }
      String key = ModelNames.key(name);
      if (conflicting.contains(key)) {
        report.skip(SKIP_CONFLICTING_DUPLICATE);
        continue;
      }
      ModelPrice earlier = out.putIfAbsent(key, price);
      if (earlier != null) {
        // LiteLLM has names that differ only in case (together_ai/BAAI/... and .../baai/...)
        if (earlier.sameRatesAs(price, 1e-9)) {
          report.skip(SKIP_DUPLICATE);
        } else {
          out.remove(key);
          conflicting.add(key);
          report.loaded--;
          report.skip(SKIP_CONFLICTING_DUPLICATE);
          report.skip(SKIP_CONFLICTING_DUPLICATE);
        }
        continue;
      }
      report.loaded++;
    }
    addUnambiguousBareNames(out);
    return out;
  }

  /** Flat per-token fields plus {@code _above_<N>k_tokens} tiers; null when loadable. */
  private static String flat(ModelPrice.Builder b, Map<String, Object> node, String name) {
    boolean embedding = "embedding".equals(node.get("mode"));
    TreeMap<Long, double[]> tiers = new TreeMap<>();
    double[] base = nanRates();
    for (Map.Entry<String, Object> f : node.entrySet()) {
      String field = f.getKey();
      for (int i = 0; i < FIELDS.length; i++) {
        if (!field.startsWith(FIELDS[i])) continue;
        String suffix = field.substring(FIELDS[i].length());
        if (suffix.isEmpty()) {
          base[FIELD_INDEX[i]] = perToken(f.getValue(), name, field);
        } else {
          long above = aboveTokens(suffix);
          if (above > 0) {
            tiers.computeIfAbsent(above, k -> nanRates())[FIELD_INDEX[i]] =
                perToken(f.getValue(), name, field);
          }
        }
        break;
      }
    }
    if (Double.isNaN(base[Rates.OUTPUT])) {
      if (!embedding) return SKIP_NO_OUTPUT_PRICE;
      base[Rates.OUTPUT] = 0; // embeddings produce no output tokens
    }
    apply(b, base, name);
    for (Map.Entry<Long, double[]> t : tiers.entrySet()) {
      b.longContextAbove(t.getKey());
      apply(b, t.getValue(), name);
    }
    return null;
  }

  /** LiteLLM's {@code tiered_pricing}: ranges of prompt size, the first starting at 0. */
  private static String tiered(ModelPrice.Builder b, Object tieredValue, String name) {
    List<Object> tiered = JsonTree.array(tieredValue);
    if (tiered == null || tiered.isEmpty()) return SKIP_UNSUPPORTED_TIERS;
    List<double[]> rates = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    double previousEnd = 0;
    boolean anyTokenPrice = false;
    for (Object tier : tiered) {
      Map<String, Object> t = JsonTree.object(tier);
      if (t == null) t = Collections.emptyMap(); // holds neither a range nor a price
      List<Object> range = JsonTree.array(t.get("range"));
      if (t.containsKey("input_cost_per_token")) anyTokenPrice = true;
      if (range == null || range.size() != 2 || !(range.get(0) instanceof Number)
          || !(range.get(1) instanceof Number) || !t.containsKey("input_cost_per_token")
          || !t.containsKey("output_cost_per_token")) {
        return anyTokenPrice ? SKIP_UNSUPPORTED_TIERS : SKIP_NO_TOKEN_PRICE;
      }
      double start = ((Number) range.get(0)).doubleValue();
      double end = ((Number) range.get(1)).doubleValue();
      if (start != previousEnd || end <= start || start != Math.rint(start)) {
        return SKIP_UNSUPPORTED_TIERS;
      }
      previousEnd = end;
      double[] r = nanRates();
      for (Map.Entry<String, Object> f : t.entrySet()) {
        for (int i = 0; i < FIELDS.length; i++) {
          if (f.getKey().equals(FIELDS[i])) {
            r[FIELD_INDEX[i]] = perToken(f.getValue(), name, "tiered_pricing." + f.getKey());
          }
        }
      }
      rates.add(r);
      starts.add((long) start);
    }
    apply(b, rates.get(0), name);
    for (int i = 1; i < rates.size(); i++) {
      b.longContextAbove(starts.get(i));
      apply(b, rates.get(i), name);
    }
    return null;
  }

  private static void apply(ModelPrice.Builder b, double[] perToken, String name) {
    for (int i = 0; i < Rates.COUNT; i++) {
      if (!Double.isNaN(perToken[i])) b.set(i, perToken[i]);
    }
  }

  /** {@code _above_200k_tokens} gives 200000; anything else (e.g. {@code _batches}) -1. */
  static long aboveTokens(String suffix) {
    String p = "_above_";
    String s = "k_tokens";
    if (!suffix.startsWith(p) || !suffix.endsWith(s)) return -1;
    String n = suffix.substring(p.length(), suffix.length() - s.length());
    if (n.isEmpty() || n.length() > 6) return -1;
    for (int i = 0; i < n.length(); i++) {
      if (n.charAt(i) < '0' || n.charAt(i) > '9') return -1;
    }
    long k = Long.parseLong(n);
    return k > 0 ? k * 1000 : -1;
  }

  private static double perToken(Object v, String name, String field) {
    double d = v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    if (!(d >= 0) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("LiteLLM price table entry \"" + name + "\": field \""
          + field + "\" must be a price >= 0 per token, was " + JsonTree.toJson(v));
    }
    return d;
  }

  private static double[] nanRates() {
    double[] a = new double[Rates.COUNT];
    Arrays.fill(a, Double.NaN);
    return a;
  }

  /**
   * LiteLLM keys most non-OpenAI models by provider ({@code dashscope/qwen3-max}). A bare name
   * that no entry owns becomes an alias when every prefixed entry carrying it bills alike, so a
   * reseller that reports {@code qwen3-max} is priced; a bare name whose entries disagree (the
   * same model at different resellers' prices) stays unpriced rather than guessed.
   */
  private static void addUnambiguousBareNames(Map<String, ModelPrice> out) {
    Map<String, ModelPrice> candidates = new LinkedHashMap<>();
    Map<String, Boolean> ambiguous = new LinkedHashMap<>();
    for (Map.Entry<String, ModelPrice> e : out.entrySet()) {
      String key = e.getKey();
      int slash = key.lastIndexOf('/');
      if (slash < 0 || slash == key.length() - 1) continue;
      String bare = key.substring(slash + 1);
      if (out.containsKey(bare)) continue;
      ModelPrice seen = candidates.putIfAbsent(bare, e.getValue());
      if (seen != null && !seen.sameRatesAs(e.getValue(), 1e-9)) ambiguous.put(bare, true);
    }
    for (Map.Entry<String, ModelPrice> e : candidates.entrySet()) {
      if (!ambiguous.containsKey(e.getKey())) out.put(e.getKey(), e.getValue());
    }
  }
}

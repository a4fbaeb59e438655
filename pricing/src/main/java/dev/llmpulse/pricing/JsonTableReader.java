package dev.llmpulse.pricing;

import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads our own price-table format (the bundled resource uses it too). Rates are per million
 * tokens:
 *
 * <pre>
 * {"format": "llmpulse-prices/1", "date": "2026-07-24",
 *  "models": {
 *    "claude-sonnet-4-5": {"provider": "anthropic", "currency": "USD",
 *      "input": 3.0, "cache_read": 0.3, "cache_write": 3.75, "cache_write_1h": 6.0,
 *      "output": 15.0,
 *      "long_context": [{"above_input_tokens": 200000, "input": 6.0, "output": 22.5}],
 *      "aliases": ["claude-sonnet-4-5-20250929"],
 *      "date": "2026-07-24", "source": "https://..."}}}
 * </pre>
 *
 * Strict on purpose: an unknown field (a typo such as {@code "ouput"}), a duplicate key, a
 * missing currency, a negative or non-numeric price is an error naming the entry and field.
 */
final class JsonTableReader {
  static final String FORMAT = "llmpulse-prices/1";

  private static final Set<String> TOP_FIELDS =
      new HashSet<>(Arrays.asList("format", "date", "currency", "description", "models"));
  private static final Set<String> ENTRY_FIELDS = new HashSet<>(Arrays.asList("provider",
      "currency", "input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning",
      "long_context", "aliases", "date", "source", "note"));
  private static final Set<String> TIER_FIELDS = new HashSet<>(Arrays.asList("above_input_tokens",
      "input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning"));

  private JsonTableReader() {}

  /** Parsed entries, keyed by lower-case model name (aliases included). */
  static Map<String, ModelPrice> read(InputStream in, PriceTable.ImportReport.Counter report) {
    Map<String, Object> root = JsonTree.readObject(in, "price table");
    for (String f : root.keySet()) {
      if (!TOP_FIELDS.contains(f)) {
        throw new IllegalArgumentException("price table: unknown top-level field \"" + f + "\"");
      }
    }
    Object format = root.get("format");
    if (format != null && !FORMAT.equals(format)) {
      throw new IllegalArgumentException("price table: format must be \"" + FORMAT + "\", was "
          + JsonTree.toJson(format));
    }
    String defaultCurrency = textOrNull(root, "currency", null, "currency");
    String defaultDate = textOrNull(root, "date", null, "date");
    Map<String, Object> models = JsonTree.object(root.get("models"));
    if (models == null) {
      throw new IllegalArgumentException("price table: \"models\" must be an object of entries");
    }
    Map<String, ModelPrice> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : models.entrySet()) {
      String name = e.getKey();
      Map<String, Object> node = JsonTree.object(e.getValue());
      if (node == null) {
        throw new IllegalArgumentException("price table entry \"" + name
            + "\": must be an object, was " + JsonTree.kind(e.getValue()));
      }
      ModelPrice price = entry(name, node, defaultCurrency, defaultDate);
      put(out, name, name, price);
      Object aliasesValue = node.get("aliases");
      if (aliasesValue != null) {
        List<Object> aliases = JsonTree.array(aliasesValue);
        if (aliases == null) throw fieldError(name, "aliases", "must be an array of names");
        for (Object a : aliases) {
          if (!(a instanceof String) || ((String) a).trim().isEmpty()) {
            throw fieldError(name, "aliases", "must hold non-empty names, found "
                + JsonTree.toJson(a));
          }
          put(out, name, (String) a, price);
        }
      }
      report.loaded++;
    }
    return out;
  }

  private static void put(Map<String, ModelPrice> out, String entry, String name,
      ModelPrice price) {
    String key = ModelNames.key(name);
    if (key.isEmpty()) throw new IllegalArgumentException("price table: empty model name");
    if (out.putIfAbsent(key, price) != null) {
      throw new IllegalArgumentException("price table entry \"" + entry + "\": name \"" + name
          + "\" is defined twice (names are case-insensitive)");
    }
  }

  private static ModelPrice entry(String name, Map<String, Object> node, String defaultCurrency,
      String defaultDate) {
    for (String f : node.keySet()) {
      if (!ENTRY_FIELDS.contains(f)) throw fieldError(name, f, "is not a known field");
    }
    ModelPrice.Builder b = ModelPrice.builder();
    String currency = textOrNull(node, "currency", name, "currency");
    if (currency == null) currency = defaultCurrency;
    if (currency == null) {
      throw fieldError(name, "currency", "is missing (set it on the entry or the table)");
    }
    try {
      b.currency(currency);
    } catch (IllegalArgumentException ex) {
      throw fieldError(name, "currency", ex.getMessage());
    }
    if (!node.containsKey("input")) throw fieldError(name, "input", "is missing");
    if (!node.containsKey("output")) throw fieldError(name, "output", "is missing");
    rates(b, node, name, "");
    Object tiersValue = node.get("long_context");
    if (tiersValue != null) {
      List<Object> tiers = JsonTree.array(tiersValue);
      if (tiers == null) throw fieldError(name, "long_context", "must be an array of tiers");
      int i = 0;
      for (Object tier : tiers) {
        String where = "long_context[" + i++ + "]";
        Map<String, Object> t = JsonTree.object(tier);
        if (t == null) throw fieldError(name, where, "must be an object");
        for (String f : t.keySet()) {
          if (!TIER_FIELDS.contains(f)) throw fieldError(name, where + "." + f, "is not a known field");
        }
        Object above = t.get("above_input_tokens");
        if (!(above instanceof Long) || (Long) above <= 0) { // a whole number within long range
          throw fieldError(name, where + ".above_input_tokens", "must be a whole number > 0, was "
              + JsonTree.toJson(above));
        }
        try {
          b.longContextAbove((Long) above);
        } catch (IllegalArgumentException ex) {
          throw fieldError(name, where + ".above_input_tokens", ex.getMessage());
        }
        rates(b, t, name, where + ".");
      }
    }
    String date = textOrNull(node, "date", name, "date");
    b.date(date != null ? date : defaultDate);
    b.source(textOrNull(node, "source", name, "source"));
    b.provider(textOrNull(node, "provider", name, "provider"));
    textOrNull(node, "note", name, "note");
    try {
      return b.build();
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException("price table entry \"" + name + "\": " + ex.getMessage(),
          ex);
    }
  }

  private static void rates(ModelPrice.Builder b, Map<String, Object> node, String name,
      String prefix) {
    for (int i = 0; i < Rates.COUNT; i++) {
      String f = Rates.JSON_NAMES[i];
      Object v = node.get(f);
      if (v == null) continue;
      double d = v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
      if (!(d >= 0) || Double.isInfinite(d)) {
        throw fieldError(name, prefix + f, "must be a price >= 0 per 1M tokens, was "
            + JsonTree.toJson(v));
      }
      b.set(i, d / 1e6);
    }
  }

  private static String textOrNull(Map<String, Object> node, String field, String entry,
      String label) {
    Object v = node.get(field);
    if (v == null || v == JsonTree.NULL) return null;
    if (!(v instanceof String)) {
      throw fieldError(entry, label, "must be a string, was " + JsonTree.toJson(v));
    }
    return (String) v;
  }

  private static IllegalArgumentException fieldError(String entry, String field, String problem) {
    String where = entry == null ? "price table" : "price table entry \"" + entry + "\"";
    return new IllegalArgumentException(where + ": field \"" + field + "\" " + problem);
  }
}

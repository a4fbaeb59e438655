package dev.llmpulse.pricing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
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

  static ObjectMapper strictMapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return mapper;
  }

  static JsonNode readTree(InputStream in, String what) {
    if (in == null) throw new IllegalArgumentException(what + ": input stream is null");
    try {
      JsonNode root = strictMapper().readTree(in);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException(what + ": expected a JSON object at the top level");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage()
          + " at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()), e);
    } catch (IOException e) {
      throw new UncheckedIOException(what + ": could not be read", e);
    }
  }

  /** Parsed entries, keyed by lower-case model name (aliases included). */
  static Map<String, ModelPrice> read(InputStream in, PriceTable.ImportReport.Counter report) {
    JsonNode root = readTree(in, "price table");
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TOP_FIELDS.contains(f)) {
        throw new IllegalArgumentException("price table: unknown top-level field \"" + f + "\"");
      }
    }
    JsonNode format = root.get("format");
    if (format != null && !FORMAT.equals(format.asText())) {
      throw new IllegalArgumentException("price table: format must be \"" + FORMAT + "\", was "
          + format);
    }
    String defaultCurrency = textOrNull(root, "currency", null, "currency");
    String defaultDate = textOrNull(root, "date", null, "date");
    JsonNode models = root.get("models");
    if (models == null || !models.isObject()) {
      throw new IllegalArgumentException("price table: \"models\" must be an object of entries");
    }
    Map<String, ModelPrice> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : models.properties()) {
      String name = e.getKey();
      ModelPrice price = entry(name, e.getValue(), defaultCurrency, defaultDate);
      put(out, name, name, price);
      JsonNode aliases = e.getValue().get("aliases");
      if (aliases != null) {
        if (!aliases.isArray()) throw fieldError(name, "aliases", "must be an array of names");
        for (JsonNode a : aliases) {
          if (!a.isTextual() || a.asText().trim().isEmpty()) {
            throw fieldError(name, "aliases", "must hold non-empty names, found " + a);
          }
          put(out, name, a.asText(), price);
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

  private static ModelPrice entry(String name, JsonNode node, String defaultCurrency,
      String defaultDate) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("price table entry \"" + name
          + "\": must be an object, was " + node.getNodeType());
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
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
    if (!node.has("input")) throw fieldError(name, "input", "is missing");
    if (!node.has("output")) throw fieldError(name, "output", "is missing");
    rates(b, node, name, "");
    JsonNode tiers = node.get("long_context");
    if (tiers != null) {
      if (!tiers.isArray()) throw fieldError(name, "long_context", "must be an array of tiers");
      int i = 0;
      for (JsonNode t : tiers) {
        String where = "long_context[" + i++ + "]";
        if (!t.isObject()) throw fieldError(name, where, "must be an object");
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!TIER_FIELDS.contains(f)) throw fieldError(name, where + "." + f, "is not a known field");
        }
        JsonNode above = t.get("above_input_tokens");
        if (above == null || !above.canConvertToLong() || !above.isIntegralNumber()
            || above.asLong() <= 0) {
          throw fieldError(name, where + ".above_input_tokens", "must be a whole number > 0, was "
              + above);
        }
        try {
          b.longContextAbove(above.asLong());
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

  private static void rates(ModelPrice.Builder b, JsonNode node, String name, String prefix) {
    for (int i = 0; i < Rates.COUNT; i++) {
      String f = Rates.JSON_NAMES[i];
      JsonNode v = node.get(f);
      if (v == null) continue;
      double d = v.isNumber() ? v.asDouble() : Double.NaN;
      if (!v.isNumber() || !(d >= 0) || Double.isInfinite(d)) {
        throw fieldError(name, prefix + f, "must be a price >= 0 per 1M tokens, was " + v);
      }
      b.set(i, d / 1e6);
    }
  }

  private static String textOrNull(JsonNode node, String field, String entry, String label) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw fieldError(entry, label, "must be a string, was " + v);
    return v.asText();
  }

  private static IllegalArgumentException fieldError(String entry, String field, String problem) {
    String where = entry == null ? "price table" : "price table entry \"" + entry + "\"";
    return new IllegalArgumentException(where + ": field \"" + field + "\" " + problem);
  }
}

package dev.llmpulse.pricing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Model-name normalisation: the names a call may report for one priced model. Plain string
 * work, no regular expressions, so it is cheap enough to run on a cache miss.
 */
final class ModelNames {
  /**
   * Key prefixes LiteLLM uses for a {@code gen_ai_provider_name} (OpenTelemetry values), tried
   * before the bare name so {@code azure/gpt-4o} wins over {@code gpt-4o} for Azure calls. The
   * provider name itself is always tried too.
   */
  private static final Map<String, String> LITELLM_PREFIX;

  static {
    Map<String, String> m = new HashMap<>();
    m.put("gcp.gemini", "gemini");
    m.put("gcp.gen_ai", "gemini");
    m.put("gcp.vertex_ai", "vertex_ai");
    m.put("azure.ai.openai", "azure");
    m.put("azure.ai.inference", "azure_ai");
    m.put("aws.bedrock", "bedrock");
    m.put("mistral_ai", "mistral");
    m.put("x_ai", "xai");
    m.put("ibm.watsonx.ai", "watsonx");
    LITELLM_PREFIX = Collections.unmodifiableMap(m);
  }

  private ModelNames() {}

  /** The table key of a name: trimmed, lower case. */
  static String key(String name) {
    return name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
  }

  /** Table-key prefixes to try for a provider, most specific first (may be empty). */
  static List<String> providerPrefixes(String providerKey) {
    if (providerKey.isEmpty() || providerKey.equals("_other")) return Collections.emptyList();
    String litellm = LITELLM_PREFIX.get(providerKey);
    List<String> out = new ArrayList<>(2);
    out.add(providerKey + '/');
    if (litellm != null) out.add(litellm + '/');
    return out;
  }

  /**
   * Names to look up for a reported model, most specific first: the name as reported; without
   * a provider or path prefix ({@code openai/gpt-4o}, {@code models/gemini-2.5-pro}); without an
   * {@code @version} ({@code claude-sonnet-4-5@20250929}); without {@code -latest}; without a
   * date suffix ({@code -2024-08-06}, {@code -20250929}).
   */
  static List<String> candidates(String key) {
    List<String> out = new ArrayList<>(6);
    addWithVariants(out, key);
    int slash = key.lastIndexOf('/');
    if (slash >= 0 && slash < key.length() - 1) addWithVariants(out, key.substring(slash + 1));
    return out;
  }

  private static void addWithVariants(List<String> out, String name) {
    addOnce(out, name);
    int at = name.indexOf('@');
    String base = at > 0 ? name.substring(0, at) : name;
    addOnce(out, base);
    String stripped = stripVersionSuffix(base);
    addOnce(out, stripped);
  }

  private static void addOnce(List<String> out, String s) {
    if (!s.isEmpty() && !out.contains(s)) out.add(s);
  }

  /** Removes one trailing {@code -latest} and then one trailing date, if present. */
  static String stripVersionSuffix(String name) {
    String s = name;
    if (s.endsWith("-latest")) s = s.substring(0, s.length() - "-latest".length());
    int n = s.length();
    // -YYYY-MM-DD
    if (n > 11 && s.charAt(n - 11) == '-' && s.charAt(n - 6) == '-' && s.charAt(n - 3) == '-'
        && digits(s, n - 10, n - 6) && digits(s, n - 5, n - 3) && digits(s, n - 2, n)
        && plausibleDate(s.substring(n - 10, n - 6), s.substring(n - 5, n - 3),
            s.substring(n - 2, n))) {
      return s.substring(0, n - 11);
    }
    // -YYYYMMDD
    if (n > 9 && s.charAt(n - 9) == '-' && digits(s, n - 8, n)
        && plausibleDate(s.substring(n - 8, n - 4), s.substring(n - 4, n - 2),
            s.substring(n - 2, n))) {
      return s.substring(0, n - 9);
    }
    return s;
  }

  private static boolean digits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }

  private static boolean plausibleDate(String y, String m, String d) {
    int year = Integer.parseInt(y);
    int month = Integer.parseInt(m);
    int day = Integer.parseInt(d);
    return year >= 2020 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
  }
}

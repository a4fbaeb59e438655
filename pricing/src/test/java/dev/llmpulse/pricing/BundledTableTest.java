package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BundledTableTest {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  /**
   * Where our bundled rates deliberately differ from LiteLLM's 2026-07-24 table, and why. Every
   * other bundled model that LiteLLM also has must bill exactly like LiteLLM.
   */
  private static final Map<String, String> DELIBERATE_DIFFERENCES = new HashMap<>();

  static {
    DELIBERATE_DIFFERENCES.put("claude-sonnet-4-20250514",
        "long-context one-hour cache write 12.00/1M (2x the 6.00 long-context input, as "
            + "Anthropic bills 1h writes: https://platform.claude.com/docs/en/about-claude/pricing"
            + "); LiteLLM lists 12.00 for claude-sonnet-4-5 at identical rates but omits it for "
            + "Sonnet 4, which would bill those writes at the 6.00 short-context rate");
  }

  @Test
  void everyEntryIsDatedAndSourced() {
    Map<ModelPrice, Boolean> seen = new IdentityHashMap<>();
    for (Map.Entry<String, ModelPrice> e : PriceTable.bundled().entries().entrySet()) {
      ModelPrice p = e.getValue();
      if (seen.put(p, true) != null) continue;
      assertThat(p.date()).as(e.getKey()).matches(DATE);
      assertThat(p.source()).as(e.getKey()).isNotBlank();
      assertThat(p.provider()).as(e.getKey()).isNotBlank();
    }
    assertThat(seen).hasSize(45);
    assertThat(PriceTable.bundled().importReport().loaded()).isEqualTo(45);
  }

  @Test
  void coversTheFamiliesCustomersUse() {
    PriceTable t = PriceTable.bundled();
    String[][] calls = {
        {"openai", "gpt-4.1"}, {"openai", "gpt-4.1-mini"}, {"openai", "gpt-4.1-nano"},
        {"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"openai", "o3"}, {"openai", "o4-mini"},
        {"openai", "gpt-5"}, {"openai", "gpt-5-mini"}, {"openai", "gpt-5-nano"},
        {"openai", "gpt-5.5"}, {"openai", "gpt-5.6"},
        {"anthropic", "claude-sonnet-4-5"}, {"anthropic", "claude-sonnet-4-6"},
        {"anthropic", "claude-opus-4-1"}, {"anthropic", "claude-opus-4-8"},
        {"anthropic", "claude-haiku-4-5"}, {"anthropic", "claude-sonnet-4-0"},
        {"gcp.gemini", "gemini-2.5-pro"}, {"gcp.gemini", "gemini-2.5-flash"},
        {"gcp.gemini", "gemini-2.5-flash-lite"},
        {"deepseek", "deepseek-chat"}, {"deepseek", "deepseek-reasoner"},
        {"dashscope", "qwen-coder-turbo"}, {"zhipu", "glm-5.3"},
    };
    for (String[] c : calls) assertThat(t.price(c[0], c[1])).as(c[1]).isNotNull();
    assertThat(t.price("moonshot", "kimi-k2.6"))
        .as("no vendor CNY list price was found for Kimi: left out, not guessed").isNull();
  }

  @Test
  void ratesEqualLiteLlmExceptTheListedDifferences() {
    PriceTable litellm = Fixtures.litellm();
    List<String> compared = new ArrayList<>();
    List<String> differing = new ArrayList<>();
    for (Map.Entry<String, ModelPrice> e : PriceTable.bundled().entries().entrySet()) {
      ModelPrice ours = e.getValue(); // our aliases (claude-sonnet-4-0) are not LiteLLM names
      ModelPrice theirs = litellm.price(ours.provider(), e.getKey());
      if (theirs == null || !ours.currency().equals("USD")) continue;
      compared.add(e.getKey());
      if (!ours.sameRatesAs(theirs, 1e-9)) differing.add(e.getKey());
    }
    assertThat(compared).hasSize(42).contains("gpt-4o", "claude-opus-4-8", "gemini-2.5-pro",
        "deepseek-v4-flash");
    assertThat(differing).containsExactlyInAnyOrderElementsOf(DELIBERATE_DIFFERENCES.keySet());
  }

  @Test
  void datedSnapshotsResolveToTheSnapshotsOwnLiteLlmPrice() {
    // gpt-4o-2024-05-13 costs more than gpt-4o: date stripping must not hide that
    PriceTable bundled = PriceTable.bundled();
    PriceTable litellm = Fixtures.litellm();
    String[][] snapshots = {
        {"openai", "gpt-4o-2024-05-13"}, {"openai", "gpt-4o-2024-08-06"},
        {"openai", "gpt-4o-2024-11-20"}, {"openai", "gpt-4o-mini-2024-07-18"},
        {"openai", "gpt-4.1-2025-04-14"}, {"openai", "o3-2025-04-16"},
        {"openai", "gpt-5-2025-08-07"}, {"openai", "gpt-5.5-2026-04-23"},
        {"anthropic", "claude-sonnet-4-5-20250929"}, {"anthropic", "claude-haiku-4-5-20251001"},
        {"anthropic", "claude-opus-4-1-20250805"}, {"anthropic", "claude-opus-4-6-20260205"},
    };
    for (String[] s : snapshots) {
      ModelPrice theirs = litellm.entries().get(s[1]);
      assertThat(theirs).as(s[1]).isNotNull();
      assertThat(bundled.price(s[0], s[1]).sameRatesAs(theirs, 1e-9)).as(s[1]).isTrue();
    }
    assertThat(bundled.price("openai", "gpt-4o-2024-05-13").inputPerMillion()).isEqualTo(5.0);
  }

  @Test
  void chineseModelsArePricedInTheirOwnCurrency() {
    PriceTable t = PriceTable.bundled();
    assertThat(t.price("dashscope", "qwen-coder-turbo").currency()).isEqualTo("CNY");
    assertThat(t.price("dashscope", "qwen-doc-turbo").currency()).isEqualTo("CNY");
    assertThat(t.price("zhipu", "glm-5.3").currency()).isEqualTo("CNY");
    assertThat(t.price("zhipu", "glm-5.3").inputPerMillion()).isEqualTo(8.0);
  }
}

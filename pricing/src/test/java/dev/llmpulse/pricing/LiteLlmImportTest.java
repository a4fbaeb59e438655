package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.TokenUsage;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LiteLlmImportTest {
  private static final Offset<Double> EXACT = within(1e-12);

  @Test
  void importsTheWholeLiteLlmFileAndCountsWhatItSkippedAndWhy() {
    PriceTable.ImportReport r = Fixtures.litellm().importReport();
    // 2,984 top-level keys: sample_spec + 2,983 entries, two of which differ only in case
    Map<String, Integer> expected = new TreeMap<>();
    expected.put(PriceTable.ImportReport.NOT_A_MODEL, 1);
    expected.put(PriceTable.ImportReport.NO_TOKEN_PRICE, 455); // images, audio/s, search, ...
    expected.put(PriceTable.ImportReport.NO_OUTPUT_PRICE, 10); // image models, input price only
    expected.put(PriceTable.ImportReport.DUPLICATE_NAME, 1); // together_ai/BAAI vs baai
    assertThat(r.skipped()).isEqualTo(expected);
    assertThat(r.loaded()).isEqualTo(2517);
    assertThat(r.loaded() + r.skippedTotal()).isEqualTo(2984);
    assertThat(r.toString()).startsWith("loaded 2517, skipped 467");
  }

  @Test
  void readsCacheWritesOneHourWritesAndLongContextTiers() {
    ModelPrice p = Fixtures.litellm().price("anthropic", "claude-sonnet-4-5");
    assertThat(p.inputPerMillion()).isCloseTo(3.0, within(1e-9));
    assertThat(p.cacheWritePerMillion()).isCloseTo(3.75, within(1e-9));
    assertThat(p.cacheWrite1hPerMillion()).isCloseTo(6.0, within(1e-9));
    assertThat(p.longContextThresholds()).containsExactly(200_000L);
    Rates tier = p.ratesFor(200_001);
    assertThat(tier.input * 1e6).isCloseTo(6.0, within(1e-9));
    assertThat(tier.cacheWrite1h * 1e6).isCloseTo(12.0, within(1e-9));
    assertThat(tier.output * 1e6).isCloseTo(22.5, within(1e-9));
  }

  @Test
  void readsTieredPricingRangesAsWholeRequestTiers() {
    // dashscope/qwen3-max: [0,32k] 1.2/6.0, [32k,128k] 2.4/12.0, [128k,252k] 3.0/15.0 USD
    PriceTable t = Fixtures.litellm();
    ModelPrice p = t.price("dashscope", "qwen3-max");
    assertThat(p.longContextThresholds()).containsExactly(32_000L, 128_000L);
    CallCost small = t.cost("dashscope", "qwen3-max",
        TokenUsage.builder().input(32_000).output(1_000).build());
    assertThat(small.inputUsd()).isCloseTo(0.0384, EXACT); // 32000 * 1.2e-6
    assertThat(small.outputUsd()).isCloseTo(0.006, EXACT); // 1000 * 6e-6
    CallCost mid = t.cost("dashscope", "qwen3-max",
        TokenUsage.builder().input(50_000).output(1_000).build());
    assertThat(mid.inputUsd()).isCloseTo(0.12, EXACT); // all 50000 * 2.4e-6
    assertThat(mid.outputUsd()).isCloseTo(0.012, EXACT); // 1000 * 12e-6
  }

  @Test
  void aBareNameIsAnAliasOnlyWhenItsEntriesAgree() {
    PriceTable t = Fixtures.litellm();
    // only moonshot/ lists kimi-k2-thinking-turbo: a reseller reporting the bare name is priced
    assertThat(t.price("holysheep", "kimi-k2-thinking-turbo"))
        .isSameAs(t.entries().get("moonshot/kimi-k2-thinking-turbo"));
    // dashscope/qwen3-max and novita/qwen/qwen3-max bill differently: no guess for the bare name
    assertThat(t.price("holysheep", "qwen3-max")).isNull();
    assertThat(t.price("dashscope", "qwen3-max")).isSameAs(t.entries().get("dashscope/qwen3-max"));
  }

  @Test
  void providerEntriesWinForThatProvider() {
    PriceTable t = Fixtures.litellm();
    assertThat(t.price("gcp.gemini", "gemini-2.5-flash"))
        .isSameAs(t.entries().get("gemini/gemini-2.5-flash"));
    assertThat(t.price("azure.ai.openai", "gpt-4o")).isSameAs(t.entries().get("azure/gpt-4o"));
    assertThat(t.price("openai", "gpt-4o")).isSameAs(t.entries().get("gpt-4o"));
  }

  @Test
  void skipsEntriesPricedOtherwiseThanByToken() {
    PriceTable t = PriceTable.fromLiteLlm(Fixtures.json("{"
        + "\"sample_spec\": {\"input_cost_per_token\": 0.0},"
        + "\"dall-e-3\": {\"mode\": \"image_generation\", \"output_cost_per_image\": 0.04},"
        + "\"img\": {\"mode\": \"image_generation\", \"input_cost_per_token\": 1e-6},"
        + "\"emb\": {\"mode\": \"embedding\", \"input_cost_per_token\": 1e-7},"
        + "\"odd\": {\"tiered_pricing\": [{\"range\": [1000, 2000], "
        + "\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 2e-6}]},"
        + "\"chat\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 2e-6}}"));
    assertThat(t.importReport().loaded()).isEqualTo(2);
    assertThat(t.importReport().skipped()).containsEntry("not_a_model", 1)
        .containsEntry("no_token_price", 1).containsEntry("no_output_price", 1)
        .containsEntry("unsupported_tiered_pricing", 1);
    assertThat(t.price("x", "emb").outputPerMillion()).isZero(); // embeddings emit no output
    assertThat(t.price("x", "dall-e-3")).isNull();
  }

  @Test
  void caseDuplicatesWithDifferentPricesAreDroppedNotGuessed() {
    PriceTable t = PriceTable.fromLiteLlm(Fixtures.json("{"
        + "\"Model-A\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 2e-6},"
        + "\"model-a\": {\"input_cost_per_token\": 5e-6, \"output_cost_per_token\": 2e-6}}"));
    assertThat(t.price("x", "model-a")).isNull();
    assertThat(t.importReport().skipped("conflicting_duplicate_name")).isEqualTo(2);
    assertThat(t.importReport().loaded()).isZero();
  }

  @Test
  void malformedEntriesNameTheEntryAndField() {
    assertThatThrownBy(() -> PriceTable.fromLiteLlm(Fixtures.json(
        "{\"gpt-x\": {\"input_cost_per_token\": -1e-6, \"output_cost_per_token\": 1e-6}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"gpt-x\"").hasMessageContaining("input_cost_per_token");
    assertThatThrownBy(() -> PriceTable.fromLiteLlm(Fixtures.json(
        "{\"gpt-y\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": \"cheap\"}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"gpt-y\"").hasMessageContaining("output_cost_per_token");
    assertThatThrownBy(() -> PriceTable.fromLiteLlm(Fixtures.json(
        "{\"gpt-z\": {\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 1e-6,"
            + " \"input_cost_per_token_above_200k_tokens\": null}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"gpt-z\"")
        .hasMessageContaining("input_cost_per_token_above_200k_tokens");
    assertThatThrownBy(() -> PriceTable.fromLiteLlm(Fixtures.json("{\"gpt-w\": [1, 2]}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"gpt-w\"");
    assertThatThrownBy(() -> PriceTable.fromLiteLlm(Fixtures.json("{\"gpt-v\": {")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
  }
}

package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.TokenUsage;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class CurrencyAndMultiplierTest {
  private static final Offset<Double> EXACT = within(1e-12);
  // glm-5.3 (CNY): input 8, cache hit 2, output 28 per 1M
  private static final TokenUsage GLM_CALL =
      TokenUsage.builder().input(100_000).cacheRead(40_000).output(2_000).build();
  // gpt-4o (USD): input 2.50, cached 1.25, output 10.00 per 1M
  private static final TokenUsage GPT_CALL = TokenUsage.builder().input(1000).output(100).build();

  @Test
  void anEntryInACurrencyWithoutARateIsUnpriced() {
    PriceTable t = PriceTable.bundled();
    assertThat(t.price("zhipu", "glm-5.3")).isNotNull();
    assertThat(t.cost("zhipu", "glm-5.3", GLM_CALL)).isNull();
  }

  @Test
  void theUserRateConvertsToUsd() {
    PriceTable t = PriceTable.builder().prices(PriceTable.bundled())
        .currencyRate("cny", 0.14).build();
    CallCost c = t.cost("zhipu", "glm-5.3", GLM_CALL);
    assertThat(c.inputUsd()).isCloseTo(0.0672, EXACT); // 60000 * 8e-6 = ¥0.48 * 0.14
    assertThat(c.cacheReadUsd()).isCloseTo(0.0112, EXACT); // 40000 * 2e-6 = ¥0.08 * 0.14
    assertThat(c.outputUsd()).isCloseTo(0.00784, EXACT); // 2000 * 28e-6 = ¥0.056 * 0.14
  }

  @Test
  void aProviderMultiplierScalesTheListPrice() {
    PriceTable t = PriceTable.builder().prices(PriceTable.bundled())
        .providerMultiplier("discounted", 0.8).build();
    CallCost list = t.cost("openai", "gpt-4o", GPT_CALL);
    CallCost cheap = t.cost("discounted", "gpt-4o", GPT_CALL);
    assertThat(list.totalUsd()).isCloseTo(0.0035, EXACT); // 1000*2.5e-6 + 100*10e-6
    assertThat(cheap.totalUsd()).isCloseTo(0.0028, EXACT); // 0.8 * 0.0035
    assertThat(cheap.inputUsd()).isCloseTo(0.002, EXACT);
  }

  @Test
  void aResellerBillingOneYuanPerListDollarIsAMultiplierAndACurrency() {
    PriceTable noRate = PriceTable.builder().prices(PriceTable.bundled())
        .providerMultiplier("holysheep", 1.0, "CNY").build();
    assertThat(noRate.cost("holysheep", "gpt-4o", GPT_CALL)).isNull(); // ¥ but no CNY rate

    PriceTable t = PriceTable.builder().prices(noRate).currencyRate("CNY", 0.14).build();
    CallCost c = t.cost("holysheep", "gpt-4o", GPT_CALL);
    // list $0.0035 -> billed ¥0.0035 -> $0.00049
    assertThat(c.totalUsd()).isCloseTo(0.00049, EXACT);
    assertThat(c.inputUsd()).isCloseTo(0.00035, EXACT);
    assertThat(c.outputUsd()).isCloseTo(0.00014, EXACT);
  }

  @Test
  void settingsAreValidated() {
    PriceTable.Builder b = PriceTable.builder();
    assertThatThrownBy(() -> b.currencyRate("CNY", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.currencyRate("CNY", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.currencyRate("yuan", 0.14))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ISO 4217");
    assertThatThrownBy(() -> b.providerMultiplier("x", -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelPrice.builder().input(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input");
    assertThatThrownBy(() -> ModelPrice.builder().input(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ModelPrice.builder().input(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output");
  }
}

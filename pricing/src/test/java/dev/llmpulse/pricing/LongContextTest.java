package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.TokenUsage;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Above the threshold the WHOLE request is billed at the tier's rates. */
class LongContextTest {
  private static final Offset<Double> EXACT = within(1e-12);
  private final PriceTable prices = PriceTable.bundled();

  @Test
  void geminiProAtTheThresholdStaysOnBaseRates() {
    // gemini-2.5-pro <=200k: input 1.25, cached 0.125, output 10.00
    CallCost c = prices.cost("gcp.gemini", "gemini-2.5-pro",
        TokenUsage.builder().input(200_000).cacheRead(100_000).output(1_000).build());
    assertThat(c.inputUsd()).isCloseTo(0.125, EXACT); // 100000 * 1.25e-6
    assertThat(c.cacheReadUsd()).isCloseTo(0.0125, EXACT); // 100000 * 0.125e-6
    assertThat(c.outputUsd()).isCloseTo(0.01, EXACT); // 1000 * 10e-6
  }

  @Test
  void geminiProAboveTheThresholdBillsEverythingAtTierRates() {
    // >200k prompt tokens (cached ones count): input 2.50, cached 0.25, output 15.00
    CallCost c = prices.cost("gcp.gemini", "gemini-2.5-pro",
        TokenUsage.builder().input(200_001).cacheRead(100_000).output(1_000).build());
    assertThat(c.inputUsd()).isCloseTo(0.2500025, EXACT); // 100001 * 2.5e-6
    assertThat(c.cacheReadUsd()).isCloseTo(0.025, EXACT); // 100000 * 0.25e-6
    assertThat(c.outputUsd()).isCloseTo(0.015, EXACT); // 1000 * 15e-6
  }

  @Test
  void anthropicCacheReadsAndWritesCountTowardTheThreshold() {
    // claude-sonnet-4-5 >200k: input 6.00, read 0.60, 5m write 7.50, 1h write 12.00, out 22.50
    TokenUsage u = TokenUsage.builder().input(250_000).cacheRead(150_000).cacheCreation(90_000)
        .cacheCreation1h(40_000).output(2_000).build();
    CallCost c = prices.cost("anthropic", "claude-sonnet-4-5-20250929", u);
    assertThat(c.inputUsd()).isCloseTo(0.06, EXACT); // 10000 * 6e-6
    assertThat(c.cacheReadUsd()).isCloseTo(0.09, EXACT); // 150000 * 0.6e-6
    assertThat(c.cacheCreationUsd()).isCloseTo(0.855, EXACT); // 50000*7.5e-6 + 40000*12e-6
    assertThat(c.outputUsd()).isCloseTo(0.045, EXACT); // 2000 * 22.5e-6
  }

  @Test
  void gpt55AboveTwoHundredSeventyTwoThousand() {
    // gpt-5.5 >272k: input 10.00, cached 1.00, output 45.00
    CallCost c = prices.cost("openai", "gpt-5.5",
        TokenUsage.builder().input(300_000).cacheRead(200_000).output(500).build());
    assertThat(c.inputUsd()).isCloseTo(1.0, EXACT); // 100000 * 10e-6
    assertThat(c.cacheReadUsd()).isCloseTo(0.2, EXACT); // 200000 * 1e-6
    assertThat(c.outputUsd()).isCloseTo(0.0225, EXACT); // 500 * 45e-6
  }

  @Test
  void aTierTakesStatedBaseRatesThenDerivesFromItsOwn() {
    ModelPrice p = ModelPrice.builder().input(1).cacheRead(0.1).output(4)
        .longContextAbove(1000).input(2).output(8).build();
    Rates tier = p.ratesFor(1001);
    assertThat(tier.input * 1e6).isCloseTo(2.0, within(1e-9));
    assertThat(tier.cacheRead * 1e6).isCloseTo(0.1, within(1e-9)); // stated on the base
    assertThat(tier.reasoning * 1e6).isCloseTo(8.0, within(1e-9)); // = the tier's output
    assertThat(p.ratesFor(1000)).isSameAs(p.baseRates());

    // no cache discount anywhere: cached tokens in the tier cost the tier's input rate
    ModelPrice flat = ModelPrice.builder().input(1).output(4)
        .longContextAbove(1000).input(2).output(8).build();
    assertThat(flat.ratesFor(5000).cacheRead * 1e6).isCloseTo(2.0, within(1e-9));
  }
}

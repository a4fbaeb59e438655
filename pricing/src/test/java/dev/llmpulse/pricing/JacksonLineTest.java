package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import org.junit.jupiter.api.Test;

/**
 * The tests run once per supported Jackson line (see pom.xml): this one proves which line ran, and
 * that the strict reading holds on it.
 */
class JacksonLineTest {
  @Test
  void jacksonCoreIsTheOneThisTestExecutionTargets() {
    String expected = System.getProperty("llmpulse.expectedJackson");
    assertThat(expected).as("set by the surefire execution").isNotBlank();
    String jar = JsonParser.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertThat(jar).endsWith("jackson-core-" + expected + ".jar");
  }

  @Test
  void duplicateKeysAreRejectedOnThisJacksonLine() {
    assertThatThrownBy(() -> PriceTable.fromLiteLlm(Fixtures.json("{\"gpt-x\": {"
        + "\"input_cost_per_token\": 1e-6, \"output_cost_per_token\": 2e-6},"
        + " \"gpt-x\": {\"input_cost_per_token\": 5e-6, \"output_cost_per_token\": 2e-6}}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON").hasMessageContaining("Duplicate field 'gpt-x'");
  }

  @Test
  void theBundledTableLoadsOnThisJacksonLine() {
    assertThat(PriceTable.bundled().importReport().loaded()).isPositive();
    assertThat(PriceTable.bundled().price("openai", "gpt-4o-mini")).isNotNull();
  }
}

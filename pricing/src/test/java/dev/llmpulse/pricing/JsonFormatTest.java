package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmpulse.core.TokenUsage;
import org.junit.jupiter.api.Test;

class JsonFormatTest {
  private static PriceTable read(String models) {
    return PriceTable.fromJson(Fixtures.json(
        "{\"format\": \"llmpulse-prices/1\", \"date\": \"2026-07-24\", \"models\": {" + models
            + "}}"));
  }

  private static void rejects(String models, String... messageParts) {
    assertThatThrownBy(() -> read(models)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(messageParts);
  }

  @Test
  void readsAFullEntry() {
    PriceTable t = read("\"our-model\": {\"provider\": \"acme\", \"currency\": \"USD\","
        + " \"input\": 3, \"cache_read\": 0.3, \"cache_write\": 3.75, \"cache_write_1h\": 6,"
        + " \"output\": 15, \"reasoning\": 20,"
        + " \"long_context\": [{\"above_input_tokens\": 200000, \"input\": 6, \"output\": 22.5}],"
        + " \"aliases\": [\"our-model-v1\"], \"source\": \"contract 42\"}");
    ModelPrice p = t.price("acme", "our-model-v1");
    assertThat(p).isSameAs(t.price("acme", "our-model"));
    assertThat(p.date()).isEqualTo("2026-07-24"); // the table's date when the entry has none
    assertThat(p.source()).isEqualTo("contract 42");
    assertThat(p.reasoningPerMillion()).isCloseTo(20, within(1e-9));
    assertThat(p.longContextThresholds()).containsExactly(200_000L);
    assertThat(t.cost("acme", "our-model", TokenUsage.builder().input(10).output(10)
        .reasoning(5).build()).totalUsd()).isCloseTo(0.000205, within(1e-12)); // 30+75+100 e-6
    assertThat(t.importReport().loaded()).isEqualTo(1);
    assertThat(t.importReport().skippedTotal()).isZero();
  }

  @Test
  void malformedEntriesGiveAClearErrorNamingTheEntryAndField() {
    rejects("\"m\": {\"currency\": \"USD\", \"input\": -1, \"output\": 1}",
        "entry \"m\"", "\"input\"", "-1");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": \"1.0\", \"output\": 1}",
        "entry \"m\"", "\"input\"");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": 1, \"ouput\": 1}",
        "entry \"m\"", "\"ouput\"", "not a known field");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": 1}", "entry \"m\"", "\"output\"",
        "missing");
    rejects("\"m\": {\"input\": 1, \"output\": 1}", "entry \"m\"", "\"currency\"", "missing");
    rejects("\"m\": {\"currency\": \"yuan\", \"input\": 1, \"output\": 1}", "entry \"m\"",
        "ISO 4217");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": 1, \"output\": 1,"
        + " \"long_context\": [{\"above_input_tokens\": 0, \"input\": 2}]}",
        "entry \"m\"", "long_context[0].above_input_tokens");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": 1, \"output\": 1,"
        + " \"long_context\": [{\"above_input_tokens\": 2000, \"input\": 2},"
        + " {\"above_input_tokens\": 1000, \"input\": 3}]}", "entry \"m\"", "ascend");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": 1, \"output\": 1,"
        + " \"long_context\": [{\"above_input_tokens\": 1000, \"outptu\": 2}]}",
        "entry \"m\"", "long_context[0].outptu");
    rejects("\"m\": 12", "entry \"m\"", "must be an object");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": 1, \"output\": 1},"
        + " \"M\": {\"currency\": \"USD\", \"input\": 2, \"output\": 1}", "\"M\"", "twice");
    rejects("\"m\": {\"currency\": \"USD\", \"input\": 1, \"output\": 1, \"aliases\": [\"n\"]},"
        + " \"n\": {\"currency\": \"USD\", \"input\": 2, \"output\": 1}", "\"n\"", "twice");
  }

  @Test
  void structuralProblemsAreReported() {
    assertThatThrownBy(() -> PriceTable.fromJson(Fixtures.json("{\"models\": {\"m\": {}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> PriceTable.fromJson(Fixtures.json(
        "{\"models\": {\"m\": {\"currency\": \"USD\", \"input\": 1, \"input\": 2,"
            + " \"output\": 1}}}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input");
    assertThatThrownBy(() -> PriceTable.fromJson(Fixtures.json("{\"format\": \"other/2\","
        + " \"models\": {}}"))).hasMessageContaining("format");
    assertThatThrownBy(() -> PriceTable.fromJson(Fixtures.json("{\"model\": {}}")))
        .hasMessageContaining("unknown top-level field \"model\"");
    assertThatThrownBy(() -> PriceTable.fromJson(Fixtures.json("[]")))
        .hasMessageContaining("JSON object");
    assertThatThrownBy(() -> PriceTable.fromJson(Fixtures.json("{\"models\": {\"m\": "
        + "{\"currency\": \"USD\", \"input\": NaN, \"output\": 1}}}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTableCurrencyAppliesToEntriesWithoutOne() {
    PriceTable t = PriceTable.fromJson(Fixtures.json("{\"currency\": \"CNY\", \"models\": {"
        + "\"qwen-x\": {\"input\": 2, \"output\": 6}}}"));
    assertThat(t.price("dashscope", "qwen-x").currency()).isEqualTo("CNY");
  }
}

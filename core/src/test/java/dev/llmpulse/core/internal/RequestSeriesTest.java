package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

/**
 * A call finds the series of its request labels in one look-up, keyed by the label values (equal
 * strings, not the same instances), and each label combination keeps its own data points, also
 * beyond the combinations the table keeps and the finish reasons a series keeps.
 */
class RequestSeriesTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetrics metrics = LlmMetrics.forRegistry(registry);

  @Test
  void equalLabelsFindOneEntryAndEveryLabelSelectsItsOwn() {
    RequestSeries s = metrics.requestSeries("chat", "openai", "gpt-4o", "api.openai.com");

    assertThat(metrics.requestSeries(new String("chat"), new String("openai"),
        new String("gpt-4o"), new String("api.openai.com"))).isSameAs(s);
    assertThat(metrics.requestSeries("embeddings", "openai", "gpt-4o", "api.openai.com"))
        .isNotSameAs(s);
    assertThat(metrics.requestSeries("chat", "azure.openai", "gpt-4o", "api.openai.com"))
        .isNotSameAs(s);
    assertThat(metrics.requestSeries("chat", "openai", "gpt-4o-mini", "api.openai.com"))
        .isNotSameAs(s);
    assertThat(metrics.requestSeries("chat", "openai", "gpt-4o", "localhost")).isNotSameAs(s);
    // Labels whose hashes collide (same String.hashCode) stay apart.
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    RequestSeries aa = metrics.requestSeries("chat", "openai", "Aa", "h");
    RequestSeries bb = metrics.requestSeries("chat", "openai", "BB", "h");
    assertThat(aa).isNotSameAs(bb);
    assertThat(aa.requestModel).isEqualTo("Aa");
    assertThat(bb.requestModel).isEqualTo("BB");
  }

  @Test
  void beyondTheKeptCombinationsEachStillRecordsUnderItsOwnLabels() {
    int combinations = 5_000; // more than LlmMetrics keeps (4,096)
    for (int i = 0; i < combinations; i++) {
      RequestSeries s = metrics.requestSeries("chat", "openai", "model-" + i, "h");
      assertThat(s.requestModel).isEqualTo("model-" + i);
      s.inFlight().inc(i);
    }
    for (int i = 0; i < combinations; i++) {
      RequestSeries again = metrics.requestSeries("chat", "openai", "model-" + i, "h");
      again.inFlight().inc(1);
    }
    assertThat(gauge(LlmMetrics.IN_FLIGHT, "gen_ai_request_model", "model-0")).isEqualTo(1);
    assertThat(gauge(LlmMetrics.IN_FLIGHT, "gen_ai_request_model", "model-4095")).isEqualTo(4096);
    assertThat(gauge(LlmMetrics.IN_FLIGHT, "gen_ai_request_model", "model-4999")).isEqualTo(5000);
    assertThat(series(LlmMetrics.IN_FLIGHT)).isEqualTo(combinations);
  }

  @Test
  void eachResponseModelOfARequestHasItsOwnSeriesBeyondTheKeptOnes() {
    RequestSeries s = metrics.requestSeries("chat", "openai", "gpt-4o", "h");
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 20; i++) {
        CallSeries c = s.callSeries("gpt-4o-" + i, null);
        assertThat(c.responseModel()).isEqualTo("gpt-4o-" + i);
        c.counter(CallSeries.TOKENS_INPUT).inc(i + 1);
      }
    }
    assertThat(counter(LlmMetrics.TOKENS, "gen_ai_response_model", "gpt-4o-0")).isEqualTo(2);
    assertThat(counter(LlmMetrics.TOKENS, "gen_ai_response_model", "gpt-4o-19")).isEqualTo(40);
  }

  @Test
  void finishReasonsBeyondTheKeptOnesAndTheLabelCapAreEachCounted() {
    CallSeries c = metrics.requestSeries("chat", "openai", "gpt-4o", "h").callSeries("m", null);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 120; i++) {
        c.finishReason("reason-" + i).inc();
      }
      c.finishReason(null).inc();
    }
    String label = "gen_ai_response_finish_reason";
    assertThat(counter(LlmMetrics.FINISH_REASONS, label, "reason-0")).isEqualTo(2);
    assertThat(counter(LlmMetrics.FINISH_REASONS, label, "reason-99")).isEqualTo(2);
    assertThat(counter(LlmMetrics.FINISH_REASONS, label, "reason-100")).isZero();
    // The cap admits 100 values; "" (no reason) is not one of them.
    assertThat(counter(LlmMetrics.FINISH_REASONS, label, LabelCap.OTHER)).isEqualTo(40);
    assertThat(counter(LlmMetrics.FINISH_REASONS, label, "")).isEqualTo(2);
  }

  private double gauge(String metric, String label, String value) {
    return value(metric, label, value);
  }

  private double counter(String metric, String label, String value) {
    return value(metric, label, value);
  }

  private double value(String metric, String label, String value) {
    double total = 0;
    for (MetricSnapshot m : registry.scrape()) {
      if (!m.getMetadata().getName().equals(metric)) continue;
      for (DataPointSnapshot p : m.getDataPoints()) {
        Labels labels = p.getLabels();
        if (!value.equals(labels.get(label))) continue;
        total += p instanceof GaugeSnapshot.GaugeDataPointSnapshot
            ? ((GaugeSnapshot.GaugeDataPointSnapshot) p).getValue()
            : ((CounterSnapshot.CounterDataPointSnapshot) p).getValue();
      }
    }
    return total;
  }

  private int series(String metric) {
    for (MetricSnapshot m : registry.scrape()) {
      if (m.getMetadata().getName().equals(metric)) return m.getDataPoints().size();
    }
    return 0;
  }
}

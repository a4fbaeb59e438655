package dev.llmpulse.benchmarks;

import dev.llmpulse.core.Attribution;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.okhttp3.OkHttpMetricsEventListener;
import io.micrometer.core.instrument.binder.okhttp3.OkHttpObservationInterceptor;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/** The clients compared: the same OkHttpClient, bare or with one kind of instrumentation. */
enum Variant {
  /** No instrumentation. */
  bare,
  /** Micrometer's {@code OkHttpMetricsEventListener} (times to response headers). */
  micrometerListener,
  /** Micrometer's {@code OkHttpObservationInterceptor} with a meter observation handler. */
  micrometerObservation,
  /** LLM Pulse's {@code LlmMetricsInterceptor}, default prices ({@code PriceTable.bundled()}). */
  llmPulse,
  /**
   * The same with two attribution keys declared ({@code feature}: an allow-list of 4 flows,
   * {@code tenant}: capped at 50); the request carries both as a tag ({@link #ATTRIBUTION}).
   */
  llmPulseAttributed;

  /** The tags an attributed call carries. */
  static final Attribution.Tags ATTRIBUTION =
      Attribution.tags("feature", "refunds", "tenant", "acme");

  /** What one configured client records into, to check it really records. */
  static final class Instrumented {
    final OkHttpClient client;
    final MeterRegistry meters;
    final PrometheusRegistry prometheus;
    final Variant variant;

    Instrumented(Variant variant, OkHttpClient client, MeterRegistry meters,
        PrometheusRegistry prometheus) {
      this.variant = variant;
      this.client = client;
      this.meters = meters;
      this.prometheus = prometheus;
    }

    /** True when LLM Pulse's calls counter has a series labelled {@code key="value"}. */
    boolean attributed(String key, String value) {
      if (prometheus == null) return false;
      for (MetricSnapshot s : prometheus.scrape()) {
        if (!s.getMetadata().getPrometheusName().equals("gen_ai_client_calls")) continue;
        for (io.prometheus.metrics.model.snapshots.DataPointSnapshot p : s.getDataPoints()) {
          if (value.equals(p.getLabels().get(key))) return true;
        }
      }
      return false;
    }

    /** Calls recorded so far: Micrometer's timer count, or LLM Pulse's duration histogram. */
    long recordedCalls() {
      if (meters != null) {
        long n = 0;
        for (Timer t : meters.find("okhttp.requests").timers()) n += t.count();
        return n;
      }
      if (prometheus != null) {
        long n = 0;
        for (MetricSnapshot s : prometheus.scrape()) {
          if (s instanceof HistogramSnapshot
              && s.getMetadata().getPrometheusName().equals("gen_ai_client_operation_duration_seconds")) {
            for (HistogramSnapshot.HistogramDataPointSnapshot p
                : ((HistogramSnapshot) s).getDataPoints()) {
              n += p.getCount();
            }
          }
        }
        return n;
      }
      return 0;
    }
  }

  /**
   * A client of this variant. {@code terminal} (non-null in-process) is the last application
   * interceptor and answers every call without a network; {@code loopbackHost}, when not null, is
   * named "openai" for LLM Pulse so both paths price the call the same way.
   */
  Instrumented client(Interceptor terminal, String loopbackHost) {
    OkHttpClient.Builder b = new OkHttpClient.Builder();
    MeterRegistry meters = null;
    PrometheusRegistry prometheus = null;
    switch (this) {
      case micrometerListener:
        meters = new SimpleMeterRegistry();
        b.eventListener(OkHttpMetricsEventListener.builder(meters, "okhttp.requests").build());
        break;
      case micrometerObservation: {
        meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig()
            .observationHandler(new DefaultMeterObservationHandler(meters));
        b.addInterceptor(
            OkHttpObservationInterceptor.builder(observations, "okhttp.requests").build());
        break;
      }
      case llmPulse:
      case llmPulseAttributed: {
        prometheus = new PrometheusRegistry();
        LlmMetricsInterceptor.Builder lb = LlmMetricsInterceptor.builder().registry(prometheus);
        if (this == llmPulseAttributed) {
          lb.attribution(Attribution.key("feature")
                  .allow("refunds", "order_status", "escalation", "product_info"))
              .attribution(Attribution.key("tenant").maxValues(50));
        }
        if ("none".equals(System.getProperty("llmpulse.prices"))) lb.prices(CostModel.NONE);
        if (loopbackHost != null) lb.provider(loopbackHost, "openai");
        b.addInterceptor(lb.build());
        break;
      }
      default:
    }
    if (terminal != null) b.addInterceptor(terminal);
    return new Instrumented(this, b.build(), meters, prometheus);
  }
}

package dev.llmpulse.core.internal;

import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The rate-limit gauges (limit, remaining, reset) of one upstream and request model, per limit
 * type, kept by {@link LlmMetrics}; each resolved on first use. See {@link CallSeries}.
 */
final class RateLimitSeries {
  static final int LIMIT = 0;
  static final int REMAINING = 1;
  static final int RESET = 2;
  private static final int TYPES = RateLimitSnapshot.LimitType.values().length;

  private final LlmMetrics metrics;
  private final String[] labels; // provider, address, request model
  private final AtomicReferenceArray<GaugeDataPoint> points =
      new AtomicReferenceArray<>(TYPES * 3);

  RateLimitSeries(LlmMetrics metrics, String[] labels) {
    this.metrics = metrics;
    this.labels = labels;
  }

  GaugeDataPoint gauge(RateLimitSnapshot.LimitType type, int which) {
    int i = type.ordinal() * 3 + which;
    GaugeDataPoint p = points.get(i);
    if (p == null) {
      String[] all = Arrays.copyOf(labels, 4);
      all[3] = type.label();
      p = which == LIMIT ? metrics.rateLimitLimit.labelValues(all)
          : which == REMAINING ? metrics.rateLimitRemaining.labelValues(all)
          : metrics.rateLimitReset.labelValues(all);
      points.set(i, p); // a racing thread resolves the same data point: harmless
    }
    return p;
  }
}

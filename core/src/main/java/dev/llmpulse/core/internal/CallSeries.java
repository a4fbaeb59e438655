package dev.llmpulse.core.internal;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The data points one label combination (operation, provider, request model, response model,
 * address) records into on every successful call, looked up once and kept by {@link LlmMetrics}:
 * a call then costs one map look-up instead of one per metric and token type. Each point is
 * resolved on first use, so no series appears before it has a value. Calls with an error type, a
 * verdict or a finish reason look those series up directly.
 */
final class CallSeries {
  static final int DURATION_OK = 0;
  static final int TIME_TO_FIRST_CHUNK = 1;
  static final int TIME_PER_OUTPUT_CHUNK = 2;
  static final int UNPRICED = 3;
  static final int USAGE_INPUT = 4;
  static final int USAGE_OUTPUT = 5;
  static final int TOKENS_INPUT = 6;
  static final int TOKENS_OUTPUT = 7;
  static final int TOKENS_CACHE_READ = 8;
  static final int TOKENS_CACHE_CREATION = 9;
  static final int TOKENS_REASONING = 10;
  static final int COST_INPUT = 11;
  static final int COST_CACHE_READ = 12;
  static final int COST_CACHE_CREATION = 13;
  static final int COST_OUTPUT = 14;
  private static final int COUNT = 15;

  private final LlmMetrics metrics;
  final String[] labels; // in LlmMetrics.CALL_LABELS order
  private final AtomicReferenceArray<Object> points = new AtomicReferenceArray<>(COUNT);

  CallSeries(LlmMetrics metrics, String[] labels) {
    this.metrics = metrics;
    this.labels = labels;
  }

  String responseModel() {
    return labels[3];
  }

  DistributionDataPoint distribution(int point) {
    return (DistributionDataPoint) point(point);
  }

  CounterDataPoint counter(int point) {
    return (CounterDataPoint) point(point);
  }

  /** The labels plus one more (error type, token type, reason...). */
  String[] labelsWith(String extra) {
    return LlmMetrics.with(labels, extra);
  }

  private Object point(int point) {
    Object p = points.get(point);
    if (p == null) {
      p = resolve(point);
      points.set(point, p); // a racing thread resolves the same data point: harmless
    }
    return p;
  }

  private Object resolve(int point) {
    switch (point) {
      case DURATION_OK:
        return metrics.duration.labelValues(labelsWith(""));
      case TIME_TO_FIRST_CHUNK:
        return metrics.timeToFirstChunk.labelValues(labels);
      case TIME_PER_OUTPUT_CHUNK:
        return metrics.timePerOutputChunk.labelValues(labels);
      case UNPRICED:
        return metrics.unpriced.labelValues(labels);
      case USAGE_INPUT:
        return metrics.tokenUsage.labelValues(labelsWith("input"));
      case USAGE_OUTPUT:
        return metrics.tokenUsage.labelValues(labelsWith("output"));
      case TOKENS_INPUT:
        return metrics.tokens.labelValues(labelsWith("input"));
      case TOKENS_OUTPUT:
        return metrics.tokens.labelValues(labelsWith("output"));
      case TOKENS_CACHE_READ:
        return metrics.tokens.labelValues(labelsWith("cache_read"));
      case TOKENS_CACHE_CREATION:
        return metrics.tokens.labelValues(labelsWith("cache_creation"));
      case TOKENS_REASONING:
        return metrics.tokens.labelValues(labelsWith("reasoning"));
      case COST_INPUT:
        return metrics.cost.labelValues(labelsWith("input"));
      case COST_CACHE_READ:
        return metrics.cost.labelValues(labelsWith("cache_read"));
      case COST_CACHE_CREATION:
        return metrics.cost.labelValues(labelsWith("cache_creation"));
      case COST_OUTPUT:
        return metrics.cost.labelValues(labelsWith("output"));
      default:
        throw new IllegalArgumentException("no data point " + point);
    }
  }
}

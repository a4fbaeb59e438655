package dev.llmpulse.core.internal;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The data points one label combination (operation, provider, request model, response model,
 * address) records into on every successful call, looked up once and kept by {@link LlmMetrics}:
 * a call then costs one map look-up instead of one per metric and token type. Each point is
 * resolved on first use, so no series appears before it has a value; finish reasons are kept by
 * value. Calls with an error type or a verdict look those series up directly.
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
  static final int CALLS_OK = 15;
  private static final int COUNT = 16;

  private final LlmMetrics metrics;
  final String[] labels; // in LlmMetrics.CALL_LABELS order
  /** The call's attribution values (declared key order), null without attribution keys. */
  final String[] attribution;
  private final AtomicReferenceArray<Object> points = new AtomicReferenceArray<>(COUNT);
  /** Finish reasons by raw value; bounded, as an upstream may send anything there. */
  private final ConcurrentHashMap<String, CounterDataPoint> finishReasons =
      new ConcurrentHashMap<>();
  private static final int MAX_FINISH_REASONS = 16;

  /** @param all the call labels, then the attribution values if any */
  CallSeries(LlmMetrics metrics, String[] all) {
    this.metrics = metrics;
    int n = LlmMetrics.CALL_LABELS.length;
    this.labels = all.length == n ? all : Arrays.copyOf(all, n);
    this.attribution = all.length == n ? null : Arrays.copyOfRange(all, n, all.length);
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

  /** The labels, one more, and the attribution values: tokens, cost and calls counters. */
  String[] attributedWith(String extra) {
    return LlmMetrics.concat(labelsWith(extra), attribution);
  }

  /**
   * {@code gen_ai_client_finish_reasons} of these labels and {@code reason} (raw; capped here,
   * kept by raw value: a value's capped label never changes once given).
   */
  CounterDataPoint finishReason(String reason) {
    String raw = reason == null ? "" : reason;
    CounterDataPoint p = finishReasons.get(raw);
    if (p != null) return p;
    p = metrics.finishReasons.labelValues(labelsWith(metrics.finishReasonValues.apply(raw)));
    if (finishReasons.size() < MAX_FINISH_REASONS) finishReasons.putIfAbsent(raw, p);
    return p;
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
        return metrics.tokens.labelValues(attributedWith("input"));
      case TOKENS_OUTPUT:
        return metrics.tokens.labelValues(attributedWith("output"));
      case TOKENS_CACHE_READ:
        return metrics.tokens.labelValues(attributedWith("cache_read"));
      case TOKENS_CACHE_CREATION:
        return metrics.tokens.labelValues(attributedWith("cache_creation"));
      case TOKENS_REASONING:
        return metrics.tokens.labelValues(attributedWith("reasoning"));
      case COST_INPUT:
        return metrics.cost.labelValues(attributedWith("input"));
      case COST_CACHE_READ:
        return metrics.cost.labelValues(attributedWith("cache_read"));
      case COST_CACHE_CREATION:
        return metrics.cost.labelValues(attributedWith("cache_creation"));
      case COST_OUTPUT:
        return metrics.cost.labelValues(attributedWith("output"));
      case CALLS_OK:
        return metrics.calls.labelValues(attributedWith(""));
      default:
        throw new IllegalArgumentException("no data point " + point);
    }
  }
}

package dev.llmpulse.core.internal;

import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a call's request labels (operation, provider, request model, address) select, found by
 * {@link LlmMetrics#requestSeries} in one allocation-free look-up when the call starts: the
 * in-flight gauge, the rate-limit gauges and the {@link CallSeries} of each response model seen
 * for it, each resolved on first use and kept. A call then looks up nothing else by label.
 */
final class RequestSeries {
  /** Response models kept per request; a request model rarely answers as more than one or two. */
  private static final int MAX_RESPONSE_MODELS = 8;

  private final LlmMetrics metrics;
  final String operation;
  final String provider;
  final String requestModel;
  final String address;
  final int hash;
  /** The next entry of the same bucket of {@link LlmMetrics}' table, or null. */
  final RequestSeries next;
  private volatile GaugeDataPoint inFlight;
  private volatile RateLimitSeries rateLimits;
  private final ConcurrentHashMap<String, CallSeries> byResponseModel = new ConcurrentHashMap<>();

  RequestSeries(LlmMetrics metrics, String operation, String provider, String requestModel,
      String address, int hash, RequestSeries next) {
    this.metrics = metrics;
    this.operation = operation;
    this.provider = provider;
    this.requestModel = requestModel;
    this.address = address;
    this.hash = hash;
    this.next = next;
  }

  static int hash(String operation, String provider, String requestModel, String address) {
    int h = ((operation.hashCode() * 31 + provider.hashCode()) * 31 + requestModel.hashCode()) * 31
        + address.hashCode();
    return h ^ (h >>> 16);
  }

  boolean matches(int hash, String operation, String provider, String requestModel,
      String address) {
    return this.hash == hash && same(this.requestModel, requestModel)
        && same(this.provider, provider) && same(this.address, address)
        && same(this.operation, operation);
  }

  private static boolean same(String a, String b) {
    return a == b || a.equals(b);
  }

  /** {@code gen_ai_client_requests_in_flight} of these labels. */
  GaugeDataPoint inFlight() {
    GaugeDataPoint p = inFlight;
    if (p == null) {
      p = metrics.inFlight.labelValues(operation, provider, requestModel, address);
      inFlight = p; // a racing thread resolves the same data point: harmless
    }
    return p;
  }

  /** The rate-limit gauges of this upstream and request model. */
  RateLimitSeries rateLimits() {
    RateLimitSeries r = rateLimits;
    if (r == null) {
      r = metrics.rateLimitSeries(provider, address, requestModel);
      rateLimits = r;
    }
    return r;
  }

  /**
   * The series of the call's response model.
   *
   * @param attribution the call's attribution values, null without attribution keys (those calls
   *     take {@link LlmMetrics#callSeries}' look-up: their series depend on more than the model)
   */
  CallSeries callSeries(String responseModel, String[] attribution) {
    if (attribution != null) {
      return metrics.callSeries(operation, provider, requestModel, responseModel, address,
          attribution);
    }
    CallSeries s = byResponseModel.get(responseModel);
    if (s != null) return s;
    s = metrics.callSeries(operation, provider, requestModel, responseModel, address, null);
    if (byResponseModel.size() < MAX_RESPONSE_MODELS) byResponseModel.putIfAbsent(responseModel, s);
    return s;
  }
}

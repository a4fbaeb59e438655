package dev.llmpulse.core;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One LLM call as a binding (the OkHttp interceptor) observes it: started, answered (status,
 * headers), its body read piece by piece, and ended exactly once, whichever comes first of EOF,
 * close, failure or cancellation. Every method is safe to call in any order and never throws
 * into the caller; only the first end is recorded.
 *
 * <pre>{@code
 * LlmCall call = metrics.startCall(format, "openai", "gpt-4o", "api.openai.com", false,
 *     CostModel.NONE, System::nanoTime);
 * call.onResponse(200, "application/json", RateLimitSnapshot.EMPTY);
 * call.onBody(bytes, 0, n);
 * call.onBodyEnd();
 * }</pre>
 */
public final class LlmCall {
  private static final double NANOS_PER_SECOND = 1e9;
  private static final RateLimitSnapshot.LimitType[] LIMIT_TYPES =
      RateLimitSnapshot.LimitType.values();

  private final LlmMetrics metrics;
  private final WireFormat format;
  private final String operation;
  private final String provider;
  private final String requestModel;
  private final String address;
  private final boolean streamRequested;
  private final CostModel costModel;
  private final LongSupplier clock;
  private final CallObserver observer;
  private final long startNanos;
  private final AtomicBoolean ended = new AtomicBoolean();

  private volatile ResponseScanner scanner;
  private int status = -1;
  private long firstContentNanos = -1;
  private long lastContentNanos;
  private String rawRequestModel;
  private GaugeDataPoint inFlight; // the series incremented at the start, decremented at the end
  private CallSeries series; // of the response model, resolved once per call
  private String chunkModelRaw; // reading thread only: the scanner's model and its label
  private String chunkModelLabel = "";

  LlmCall(LlmMetrics metrics, WireFormat format, String provider, String requestModel,
      String address, boolean streamRequested, CostModel costModel, LongSupplier clock,
      CallObserver observer) {
    this.metrics = metrics;
    this.format = format == null ? WireFormat.UNKNOWN : format;
    this.operation = this.format.operationName();
    this.provider = provider.isEmpty() ? LabelCap.OTHER : provider;
    this.requestModel = requestModel;
    this.address = address;
    this.streamRequested = streamRequested;
    this.costModel = costModel == null ? CostModel.NONE : costModel;
    this.clock = clock;
    this.observer = observer;
    this.startNanos = clock.getAsLong();
    try {
      inFlight = metrics.inFlight.labelValues(operation, this.provider, requestModel, address);
      inFlight.inc();
      if (observer != null) observer.callStarted(this);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
  }

  /** The {@code gen_ai_operation_name} label value. */
  public String operationName() {
    return operation;
  }

  /** The {@code gen_ai_provider_name} label value. */
  public String providerName() {
    return provider;
  }

  /** The {@code gen_ai_request_model} label value (capped). */
  public String requestModel() {
    return requestModel;
  }

  /** The {@code server_address} label value (capped). */
  public String serverAddress() {
    return address;
  }

  /** The model name as asked for, before label capping; used for pricing. */
  public LlmCall rawRequestModel(String model) {
    this.rawRequestModel = model;
    return this;
  }

  /** Nanoseconds (of the call's clock) when the call started. */
  public long startNanos() {
    return startNanos;
  }

  /** The response headers arrived. */
  public void onResponse(int httpStatus, String contentType, RateLimitSnapshot rateLimits) {
    if (ended.get()) return;
    try {
      this.status = httpStatus;
      this.scanner = ResponseScanner.builder(format)
          .httpStatus(httpStatus)
          .contentType(contentType)
          .streamExpected(streamRequested)
          .onContentChunk(this::onContentChunk)
          .build();
      if (rateLimits != null && !rateLimits.isEmpty()) recordRateLimits(rateLimits);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
  }

  /** The application read these body bytes. */
  public void onBody(byte[] data, int offset, int length) {
    ResponseScanner s = scanner;
    if (s == null || ended.get()) return;
    s.feed(data, offset, length);
  }

  /** The body reached EOF. */
  public void onBodyEnd() {
    ResponseScanner s = scanner;
    if (s != null && !ended.get()) s.endOfInput();
    finish(null);
  }

  /**
   * The application closed the body. A body whose answer was complete (root JSON value closed,
   * stream terminator seen) ends normally; a stream closed earlier is {@code canceled}.
   */
  public void onBodyClosed() {
    ResponseScanner s = scanner;
    if (s == null || ended.get()) {
      finish(null);
      return;
    }
    if (s.isComplete()) {
      s.endOfInput();
      finish(null);
    } else {
      s.abandon();
      finish(s.isStream() || streamRequested ? "canceled" : null);
    }
  }

  /** The call failed: {@code timeout}, {@code connect_error}, {@code io_error}, {@code canceled}. */
  public void onFailure(String errorType) {
    ResponseScanner s = scanner;
    if (s != null && !ended.get()) s.abandon();
    finish(errorType);
  }

  /** The response has no body to read (HEAD, 204, an interceptor's empty response). */
  public void onNoBody() {
    finish(null);
  }

  public boolean isEnded() {
    return ended.get();
  }

  /** The verdict on the response, once the body ended; null when valid or not judged. */
  public InvalidResponseReason invalidReason() {
    ResponseScanner s = scanner;
    return s == null ? null : s.invalidReason();
  }

  /** True when the response is a stream (SSE, or Gemini's JSON-array stream). */
  public boolean isStream() {
    ResponseScanner s = scanner;
    return s != null && s.isStream();
  }

  private void onContentChunk() {
    ResponseScanner s = scanner;
    if (s == null || !s.isStream()) return; // a whole answer at once has no chunks to time
    long now = clock.getAsLong();
    if (firstContentNanos < 0) {
      firstContentNanos = now;
    } else {
      try {
        series(chunkModelLabel(s)).distribution(CallSeries.TIME_PER_OUTPUT_CHUNK)
            .observe((now - lastContentNanos) / NANOS_PER_SECOND);
      } catch (RuntimeException | LinkageError e) {
        metrics.internalError(e);
      }
    }
    lastContentNanos = now;
  }

  private void recordRateLimits(RateLimitSnapshot limits) {
    RateLimitSeries series = metrics.rateLimitSeries(provider, address, requestModel);
    for (RateLimitSnapshot.LimitType type : LIMIT_TYPES) {
      double limit = limits.limit(type);
      double remaining = limits.remaining(type);
      double reset = limits.resetEpochSeconds(type);
      if (!Double.isNaN(limit)) series.gauge(type, RateLimitSeries.LIMIT).set(limit);
      if (!Double.isNaN(remaining)) series.gauge(type, RateLimitSeries.REMAINING).set(remaining);
      if (!Double.isNaN(reset)) series.gauge(type, RateLimitSeries.RESET).set(reset);
    }
  }

  private String responseModelLabel() {
    ResponseScanner s = scanner;
    return s == null ? "" : metrics.responseModels.apply(s.responseModel());
  }

  /**
   * The same, for the reading thread's per-chunk use: the scanner keeps one model instance while
   * the model is unchanged, so the capped label is looked up once per model, not per chunk.
   */
  private String chunkModelLabel(ResponseScanner s) {
    String raw = s.responseModel();
    if (raw != chunkModelRaw) {
      chunkModelLabel = metrics.responseModels.apply(raw);
      chunkModelRaw = raw;
    }
    return chunkModelLabel;
  }

  /** The series of {@code responseModel}; the model is known from the first event on. */
  private CallSeries series(String responseModel) {
    CallSeries s = series;
    if (s == null || !s.responseModel().equals(responseModel)) {
      s = metrics.callSeries(operation, provider, requestModel, responseModel, address);
      series = s;
    }
    return s;
  }

  private void finish(String failure) {
    if (!ended.compareAndSet(false, true)) return;
    try {
      long durationNanos = clock.getAsLong() - startNanos;
      if (inFlight != null) inFlight.dec();
      ResponseScanner s = scanner;
      InvalidResponseReason verdict = s == null ? null : s.invalidReason();
      String errorType;
      if (failure != null) {
        errorType = failure;
      } else if (status >= 400) {
        errorType = Integer.toString(status);
      } else if (verdict != null) {
        errorType = verdict.errorType();
      } else {
        errorType = "";
      }
      CallSeries series = series(responseModelLabel());
      double seconds = Math.max(0, durationNanos) / NANOS_PER_SECOND;
      if (errorType.isEmpty()) {
        series.distribution(CallSeries.DURATION_OK).observe(seconds);
      } else {
        metrics.duration.labelValues(series.labelsWith(errorType)).observe(seconds);
      }
      notifyEnded(errorType, durationNanos);
      if (s == null) return;
      if (verdict != null) {
        metrics.invalidResponses.labelValues(series.labelsWith(verdict.label())).inc();
      }
      if (firstContentNanos >= 0) {
        series.distribution(CallSeries.TIME_TO_FIRST_CHUNK)
            .observe(Math.max(0, firstContentNanos - startNanos) / NANOS_PER_SECOND);
      }
      if (s.oversizedEvents() > 0) {
        metrics.skippedEvents.labelValues(series.labels).inc(s.oversizedEvents());
      }
      List<String> reasons = s.finishReasons();
      for (int i = 0; i < reasons.size(); i++) {
        String reason = metrics.finishReasonValues.apply(reasons.get(i));
        metrics.finishReasons.labelValues(series.labelsWith(reason)).inc();
      }
      TokenUsage usage = s.usage();
      if (usage.isKnown()) recordUsage(usage, series, s.responseModel());
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
  }

  private void notifyEnded(String errorType, long durationNanos) {
    if (observer == null) return;
    try {
      long ttfc = firstContentNanos >= 0 ? firstContentNanos - startNanos : -1;
      observer.callEnded(this, errorType, Math.max(0, durationNanos), ttfc);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
  }

  private void recordUsage(TokenUsage usage, CallSeries series, String rawResponseModel) {
    series.distribution(CallSeries.USAGE_INPUT).observe(usage.inputTokens());
    series.distribution(CallSeries.USAGE_OUTPUT).observe(usage.outputTokens());
    add(series, CallSeries.TOKENS_INPUT, usage.inputTokens());
    add(series, CallSeries.TOKENS_OUTPUT, usage.outputTokens());
    add(series, CallSeries.TOKENS_CACHE_READ, usage.cacheReadTokens());
    add(series, CallSeries.TOKENS_CACHE_CREATION, usage.cacheCreationTokens());
    add(series, CallSeries.TOKENS_REASONING, usage.reasoningTokens());

    String model = !rawResponseModel.isEmpty() ? rawResponseModel
        : rawRequestModel != null ? rawRequestModel : requestModel;
    CallCost cost = null;
    try {
      cost = model.isEmpty() ? null : costModel.cost(provider, model, usage);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
    if (cost == null) {
      series.counter(CallSeries.UNPRICED).inc();
      return;
    }
    add(series, CallSeries.COST_INPUT, cost.inputUsd());
    add(series, CallSeries.COST_CACHE_READ, cost.cacheReadUsd());
    add(series, CallSeries.COST_CACHE_CREATION, cost.cacheCreationUsd());
    add(series, CallSeries.COST_OUTPUT, cost.outputUsd());
  }

  /** Adds to a counter; a zero still creates the series (so it reads 0, not absent). */
  private static void add(CallSeries series, int counter, double amount) {
    CounterDataPoint point = series.counter(counter);
    if (amount != 0) point.inc(amount);
  }
}

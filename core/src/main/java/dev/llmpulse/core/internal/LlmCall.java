package dev.llmpulse.core.internal;

import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;
import dev.llmpulse.core.WireFormat;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
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
 *
 * <p>Part of the binding contract: no compatibility promise.
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
  private static final AtomicIntegerFieldUpdater<LlmCall> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(LlmCall.class, "ended");
  private volatile int ended; // 1 once ended: set by ENDED, once

  private volatile ResponseScanner scanner;
  private int status = -1;
  private long firstContentNanos = -1;
  private long lastContentNanos;
  // When the piece of body being read arrived, read from the clock at its first content chunk:
  // the events that one read delivered arrived together, so they share one time.
  private boolean pieceTimed;
  private long pieceNanos;
  private String rawRequestModel;
  private GaugeDataPoint inFlight; // the series incremented at the start, decremented at the end
  private RequestSeries requestSeries; // of the request's labels, found once at the start
  private CallSeries series; // of the response model, resolved once per call
  private String[] attribution; // label values of the declared attribution keys, or null
  private String chunkModelRaw; // reading thread only: the scanner's model and its label
  private String chunkModelLabel = "";
  private CallSeries chunkGapSeries; // reading thread only: the series chunkGaps belongs to
  private DistributionDataPoint chunkGaps;
  private ContentDecoder decoder; // gzip or deflate bodies: decodes for the scanner only
  private ContentDecoder.Sink toScanner;
  private volatile String unparsed; // why the answer could not be read, if it could not

  static final String UNSUPPORTED_ENCODING = "unsupported_encoding";
  static final String CORRUPT_ENCODING = "corrupt_encoding";

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
      metrics.reached(Stage.START_IN_FLIGHT);
      RequestSeries labels = metrics.requestSeries(operation, this.provider, requestModel, address);
      requestSeries = labels;
      GaugeDataPoint point = labels.inFlight();
      point.inc();
      inFlight = point; // only a gauge that went up goes down at the end
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
    if (observer != null) {
      try {
        observer.callStarted(this);
        metrics.reached(Stage.START_OBSERVER); // as if the observer threw after its work
      } catch (RuntimeException | LinkageError e) {
        metrics.internalError(e);
      }
    }
  }

  /**
   * The places inside a call where LLM Pulse's own code runs; a failure at any of them is
   * counted and the call still ends exactly once. Tests inject failures at each.
   */
  enum Stage {
    START_IN_FLIGHT, START_OBSERVER, RESPONSE_SCANNER, RESPONSE_RATE_LIMITS, BODY, CHUNK_GAP,
    END_IN_FLIGHT, END_OBSERVER, END_SERIES, END_DURATION, END_CALLS, END_VERDICT,
    END_TIME_TO_FIRST_CHUNK, END_SKIPPED_EVENTS, END_UNPARSED, END_FINISH_REASONS, END_USAGE, END_COST
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

  /**
   * The call's attribution label values, one per declared key in order (from {@link
   * AttributionLabels#resolve}); set right after the start, before anything is recorded.
   */
  public LlmCall attribution(String[] values) {
    this.attribution = values;
    return this;
  }

  /** Nanoseconds (of the call's clock) when the call started. */
  public long startNanos() {
    return startNanos;
  }

  /** The response headers arrived; the body is not encoded. */
  public void onResponse(int httpStatus, String contentType, RateLimitSnapshot rateLimits) {
    onResponse(httpStatus, contentType, null, rateLimits);
  }

  /**
   * The response headers arrived.
   *
   * @param contentEncoding the response's {@code Content-Encoding} as the binding's reader sees
   *     the body: null or {@code identity} when the bytes handed to {@link #onBody} are the
   *     answer itself, {@code gzip} or {@code deflate} when they are still encoded (they are
   *     decoded for the scanner, never for the application); any other encoding is not parsed
   *     and counted as an unparsed response
   */
  public void onResponse(int httpStatus, String contentType, String contentEncoding,
      RateLimitSnapshot rateLimits) {
    if (ended != 0) return;
    this.status = httpStatus;
    try {
      metrics.reached(Stage.RESPONSE_SCANNER);
      ContentDecoder.Encoding encoding = ContentDecoder.Encoding.of(contentEncoding);
      if (encoding == ContentDecoder.Encoding.UNSUPPORTED) {
        if (httpStatus >= 200 && httpStatus <= 299 && format.isParsed()) {
          unparsed = UNSUPPORTED_ENCODING;
        }
      } else {
        ResponseScanner s = ResponseScanner.builder(format)
            .httpStatus(httpStatus)
            .contentType(contentType)
            .streamExpected(streamRequested)
            .onContentChunk(this::onContentChunk)
            .build();
        if (encoding != ContentDecoder.Encoding.IDENTITY) {
          decoder = new ContentDecoder(encoding);
          toScanner = s::feed;
        }
        this.scanner = s;
      }
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
    if (rateLimits != null && !rateLimits.isEmpty()) {
      try {
        metrics.reached(Stage.RESPONSE_RATE_LIMITS);
        recordRateLimits(rateLimits);
      } catch (RuntimeException | LinkageError e) {
        metrics.internalError(e);
      }
    }
  }

  /** The application read these body bytes. Never throws. */
  public void onBody(byte[] data, int offset, int length) {
    ResponseScanner s = scanner;
    if (s == null || ended != 0) return;
    pieceTimed = false;
    try {
      metrics.reached(Stage.BODY);
      ContentDecoder d = decoder;
      if (d == null) {
        s.feed(data, offset, length);
      } else {
        d.feed(data, offset, length, toScanner);
        if (d.failed()) stopReading(CORRUPT_ENCODING);
      }
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      stopReading(null);
    }
  }

  /** No more parsing of this body: it cannot be read ({@code reason}) or our reader failed. */
  private void stopReading(String reason) {
    ResponseScanner s = scanner;
    scanner = null;
    if (reason != null) unparsed = reason;
    endDecoder();
    if (s == null) return;
    try {
      s.abandon();
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
  }

  /** The body reached EOF. */
  public void onBodyEnd() {
    ResponseScanner s = scanner;
    if (s != null && ended == 0) {
      pieceTimed = false;
      try {
        s.endOfInput();
      } catch (RuntimeException | LinkageError e) {
        metrics.internalError(e);
      }
    }
    finish(null);
  }

  /**
   * The application closed the body. A body whose answer was complete (root JSON value closed,
   * stream terminator seen) ends normally; a stream closed earlier is {@code canceled}.
   */
  public void onBodyClosed() {
    ResponseScanner s = scanner;
    if (s == null || ended != 0) {
      finish(null);
      return;
    }
    String failure = null;
    pieceTimed = false;
    try {
      if (s.isComplete()) {
        s.endOfInput();
      } else {
        s.abandon();
        // Only an answer the app stopped reading is canceled; an error answer closed unread
        // (a client retrying a 429 or 529) is recorded by its status.
        if ((s.isStream() || streamRequested) && status >= 200 && status <= 299) {
          failure = "canceled";
        }
      }
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
    finish(failure);
  }

  /** The call failed: {@code timeout}, {@code connect_error}, {@code io_error}, {@code canceled}. */
  public void onFailure(String errorType) {
    ResponseScanner s = scanner;
    if (s != null && ended == 0) {
      try {
        s.abandon();
      } catch (RuntimeException | LinkageError e) {
        metrics.internalError(e);
      }
    }
    finish(errorType);
  }

  /** The response has no body to read (HEAD, 204, an interceptor's empty response). */
  public void onNoBody() {
    finish(null);
  }

  public boolean isEnded() {
    return ended != 0;
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
    if (!pieceTimed) {
      pieceNanos = clock.getAsLong();
      pieceTimed = true;
    }
    long now = pieceNanos;
    if (firstContentNanos < 0) {
      firstContentNanos = now;
    } else {
      try {
        metrics.reached(Stage.CHUNK_GAP);
        CallSeries labels = series(chunkModelLabel(s));
        if (labels != chunkGapSeries) { // once per call, not once per chunk
          chunkGaps = labels.distribution(CallSeries.TIME_PER_OUTPUT_CHUNK);
          chunkGapSeries = labels;
        }
        chunkGaps.observe((now - lastContentNanos) / NANOS_PER_SECOND);
      } catch (RuntimeException | LinkageError e) {
        metrics.internalError(e);
      }
    }
    lastContentNanos = now;
  }

  private void recordRateLimits(RateLimitSnapshot limits) {
    RequestSeries labels = requestSeries;
    RateLimitSeries series = labels != null ? labels.rateLimits()
        : metrics.rateLimitSeries(provider, address, requestModel);
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
      RequestSeries labels = requestSeries;
      s = labels != null ? labels.callSeries(responseModel, attribution)
          : metrics.callSeries(operation, provider, requestModel, responseModel, address,
              attribution);
      series = s;
    }
    return s;
  }

  /**
   * Ends the call once. The in-flight gauge and the observer (health, stall tracking) come first
   * and each metric after them on its own, so whatever fails inside LLM Pulse, the call is no
   * longer in flight and the rest of its record is kept.
   */
  private void finish(String failure) {
    if (!ENDED.compareAndSet(this, 0, 1)) return;
    long durationNanos = Math.max(0, clock.getAsLong() - startNanos);
    endDecoder();
    ResponseScanner s = scanner;
    InvalidResponseReason verdict = null;
    try {
      verdict = s == null ? null : s.invalidReason();
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
    CallOutcome outcome;
    if (failure != null) {
      outcome = CallOutcome.ofFailure(failure);
    } else if (status >= 400) {
      outcome = CallOutcome.ofStatus(status);
    } else if (verdict != null) {
      outcome = CallOutcome.ofFailure(verdict.errorType());
    } else {
      outcome = CallOutcome.SUCCESS;
    }
    String errorType = outcome.errorType();
    // Everything of the call is recorded before it leaves in-flight: a scrape that sees it no
    // longer in flight sees all of it. Each step stands alone, so a failing one skips nothing else.
    CallSeries series = null;
    try {
      metrics.reached(Stage.END_SERIES);
      series = series(s == null ? "" : responseModelLabel());
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
    for (Stage stage = Stage.END_DURATION; series != null && stage != null; stage = next(stage)) {
      try {
        metrics.reached(stage);
        record(stage, series, s, verdict, errorType, durationNanos);
      } catch (RuntimeException | LinkageError e) {
        metrics.internalError(e);
      }
    }
    GaugeDataPoint point = inFlight;
    // The gauge went up at the start, so it can go down: a transient failure here gets a second
    // try, or the call would look in flight forever.
    for (int attempt = 0; point != null && attempt < 2; attempt++) {
      try {
        metrics.reached(Stage.END_IN_FLIGHT);
        point.dec();
        point = null;
      } catch (RuntimeException | LinkageError e) {
        if (attempt == 0) metrics.internalError(e);
      }
    }
    notifyEnded(outcome, durationNanos);
  }

  private static final Stage[] STAGES = Stage.values(); // values() clones on every call

  private static Stage next(Stage stage) {
    return stage == Stage.END_USAGE ? null : STAGES[stage.ordinal() + 1];
  }

  private void record(Stage stage, CallSeries series, ResponseScanner s,
      InvalidResponseReason verdict, String errorType, long durationNanos) {
    switch (stage) {
      case END_DURATION:
        double seconds = durationNanos / NANOS_PER_SECOND;
        if (errorType.isEmpty()) {
          series.distribution(CallSeries.DURATION_OK).observe(seconds);
        } else {
          metrics.duration.labelValues(series.labelsWith(errorType)).observe(seconds);
        }
        return;
      case END_CALLS:
        if (metrics.calls == null) return;
        if (errorType.isEmpty()) {
          series.counter(CallSeries.CALLS_OK).inc();
        } else {
          metrics.calls.labelValues(series.attributedWith(errorType)).inc();
        }
        return;
      case END_UNPARSED:
        if (unparsed != null) {
          metrics.unparsedResponses.labelValues(series.labelsWith(unparsed)).inc();
        }
        return;
      default:
    }
    if (s == null) return;
    switch (stage) {
      case END_VERDICT:
        if (verdict != null) {
          metrics.invalidResponses.labelValues(series.labelsWith(verdict.label())).inc();
        }
        return;
      case END_TIME_TO_FIRST_CHUNK:
        if (firstContentNanos >= 0) {
          series.distribution(CallSeries.TIME_TO_FIRST_CHUNK)
              .observe(Math.max(0, firstContentNanos - startNanos) / NANOS_PER_SECOND);
        }
        return;
      case END_SKIPPED_EVENTS:
        if (s.oversizedEvents() > 0) {
          metrics.skippedEvents.labelValues(series.labels).inc(s.oversizedEvents());
        }
        return;
      case END_FINISH_REASONS:
        List<String> reasons = s.finishReasons();
        for (int i = 0; i < reasons.size(); i++) {
          series.finishReason(reasons.get(i)).inc();
        }
        return;
      case END_USAGE:
        TokenUsage usage = s.usage();
        if (usage.isKnown()) recordUsage(usage, series, s.responseModel());
        return;
      default:
    }
  }

  private void endDecoder() {
    ContentDecoder d = decoder;
    if (d == null) return;
    try {
      d.end();
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
    }
  }

  private void notifyEnded(CallOutcome outcome, long durationNanos) {
    if (observer == null) return;
    try {
      long ttfc = firstContentNanos >= 0 ? firstContentNanos - startNanos : -1;
      observer.callEnded(this, outcome, durationNanos, ttfc);
      metrics.reached(Stage.END_OBSERVER); // as if the observer threw after its work
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
      metrics.reached(Stage.END_COST);
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

package dev.llmpulse.core.internal;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.WireFormat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The LLM Pulse metric set, registered once per {@link PrometheusRegistry}: every interceptor
 * built on the same registry shares it. Names follow the OpenTelemetry GenAI semantic
 * conventions as Prometheus spells them. A scrape looks like:
 *
 * <pre>
 * gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_response_model="gpt-4o-mini-2024-07-18",server_address="api.openai.com",error_type="",le="0.64"} 1
 * gen_ai_client_tokens_total{gen_ai_operation_name="chat",…,gen_ai_token_type="cache_read"} 3584
 * gen_ai_client_cost_usd_total{gen_ai_operation_name="chat",…,gen_ai_token_type="output"} 0.00041
 * gen_ai_client_invalid_responses_total{gen_ai_operation_name="chat",…,reason="truncated_json"} 1
 * </pre>
 *
 * <p>Bindings (the OkHttp interceptor) start a {@link LlmCall} per request; applications only
 * choose the registry.
 *
 * <pre>{@code
 * LlmMetrics metrics = LlmMetrics.forRegistry(registry); // idempotent per registry
 * }</pre>
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public final class LlmMetrics {
  public static final String DURATION = "gen_ai_client_operation_duration_seconds";
  public static final String TOKEN_USAGE = "gen_ai_client_token_usage";
  public static final String TIME_TO_FIRST_CHUNK =
      "gen_ai_client_operation_time_to_first_chunk_seconds";
  public static final String TIME_PER_OUTPUT_CHUNK =
      "gen_ai_client_operation_time_per_output_chunk_seconds";
  public static final String TOKENS = "gen_ai_client_tokens";
  public static final String COST = "gen_ai_client_cost_usd";
  public static final String UNPRICED = "gen_ai_client_unpriced_operations";
  public static final String IN_FLIGHT = "gen_ai_client_requests_in_flight";
  public static final String RATE_LIMIT_REMAINING = "gen_ai_client_rate_limit_remaining";
  public static final String RATE_LIMIT_LIMIT = "gen_ai_client_rate_limit_limit";
  public static final String RATE_LIMIT_RESET = "gen_ai_client_rate_limit_reset_timestamp_seconds";
  public static final String INVALID_RESPONSES = "gen_ai_client_invalid_responses";
  public static final String FINISH_REASONS = "gen_ai_client_finish_reasons";
  public static final String SKIPPED_EVENTS = "gen_ai_client_skipped_stream_events";
  public static final String INSTRUMENTATION_ERRORS = "gen_ai_client_instrumentation_errors";
  public static final String UNPARSED_RESPONSES = "gen_ai_client_unparsed_responses";
  /** Only with attribution keys: calls by outcome ({@code error_type}) and attribution. */
  public static final String CALLS = "gen_ai_client_calls";
  /** Only with attribution keys: attribution values that did not become their own label. */
  public static final String ATTRIBUTION_DROPPED = "gen_ai_client_attribution_dropped";

  static final String[] CALL_LABELS = {"gen_ai_operation_name", "gen_ai_provider_name",
      "gen_ai_request_model", "gen_ai_response_model", "server_address"};
  private static final String[] IN_FLIGHT_LABELS = {"gen_ai_operation_name",
      "gen_ai_provider_name", "gen_ai_request_model", "server_address"};
  private static final String[] RATE_LIMIT_LABELS = {"gen_ai_provider_name", "server_address",
      "gen_ai_request_model", "limit_type"};

  /** Seconds: 0.01 · 2^k up to 327.68 s, wide enough for a 15 s stall and a 5-minute stream. */
  static final double[] DURATION_BUCKETS = exponential(0.01, 2, 16);
  /** OpenTelemetry's token buckets: 1 · 4^k up to 4^13. */
  static final double[] TOKEN_BUCKETS = exponential(1, 4, 14);
  /** OpenTelemetry's time-to-first-token buckets, extended to one minute. */
  static final double[] TTFC_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25,
      0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 15.0, 30.0, 60.0};
  /** OpenTelemetry's time-per-output-token buckets, with finer low end for fast streams. */
  static final double[] CHUNK_GAP_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075,
      0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0};

  private static final Logger LOG = Logger.getLogger(LlmMetrics.class.getName());
  private static final Map<PrometheusRegistry, LlmMetrics> BY_REGISTRY = new WeakHashMap<>();
  private static final int DEFAULT_LABEL_CAP = 100;

  final Histogram duration;
  final Histogram tokenUsage;
  final Histogram timeToFirstChunk;
  final Histogram timePerOutputChunk;
  final Counter tokens;
  final Counter cost;
  final Counter unpriced;
  final Gauge inFlight;
  final Gauge rateLimitRemaining;
  final Gauge rateLimitLimit;
  final Gauge rateLimitReset;
  final Counter invalidResponses;
  final Counter finishReasons;
  final Counter skippedEvents;
  final Counter instrumentationErrors;
  final Counter unparsedResponses;
  /** Null unless attribution keys are declared, like {@link #attribution}. */
  final Counter calls;
  final AttributionLabels attribution;

  final LabelCap providers = new LabelCap(DEFAULT_LABEL_CAP);
  final LabelCap requestModels = new LabelCap(DEFAULT_LABEL_CAP);
  final LabelCap responseModels = new LabelCap(DEFAULT_LABEL_CAP);
  final LabelCap addresses = new LabelCap(DEFAULT_LABEL_CAP);
  final LabelCap finishReasonValues = new LabelCap(DEFAULT_LABEL_CAP);
  private final AtomicBoolean loggedInternalError = new AtomicBoolean();
  /** Bounded: beyond it (label caps allow more in theory) calls look their series up directly. */
  private static final int MAX_CACHED_COMBINATIONS = 4096;
  private static final int REQUEST_BUCKETS = 256; // a power of two
  private final ConcurrentHashMap<List<String>, CallSeries> callSeries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, RateLimitSeries> rateLimitSeries =
      new ConcurrentHashMap<>();
  /**
   * The request series by their labels: a chained hash table read without locks or allocation
   * (a call's start finds its series by the label strings it already has), written under its own
   * lock, holding at most {@link #MAX_CACHED_COMBINATIONS} entries.
   */
  private final AtomicReferenceArray<RequestSeries> requestTable =
      new AtomicReferenceArray<>(REQUEST_BUCKETS);
  private int requestCount; // guarded by requestTable
  private final Function<String[], CallSeries> newCallSeries = l -> new CallSeries(this, l);
  private final Function<String[], RateLimitSeries> newRateLimitSeries =
      l -> new RateLimitSeries(this, l);

  /**
   * Exemplars (trace ids) are kept on the histograms, where a slow call links to its trace, when
   * the host has client_java's tracer modules; the counters and gauges, updated up to fifteen
   * times per call, do without the sampling cost.
   */
  private LlmMetrics(PrometheusRegistry registry, List<Attribution.Key> keys) {
    Registration r = new Registration(registry);
    String[] keyNames = new String[keys.size()];
    for (int i = 0; i < keyNames.length; i++) keyNames[i] = keys.get(i).name();
    try {
      duration = r.add(histogram().name(DURATION)
          .help("Duration of LLM calls, from request start to the end of the response body")
          .labelNames(with(CALL_LABELS, "error_type"))
          .classicUpperBounds(DURATION_BUCKETS).classicOnly()
          .build());
      tokenUsage = r.add(histogram().name(TOKEN_USAGE)
          .help("Tokens used per LLM call, by type (input includes cached, output includes reasoning)")
          .labelNames(with(CALL_LABELS, "gen_ai_token_type"))
          .classicUpperBounds(TOKEN_BUCKETS).classicOnly()
          .build());
      timeToFirstChunk = r.add(histogram().name(TIME_TO_FIRST_CHUNK)
          .help("Streams: time from request start to the first event that carries content")
          .labelNames(CALL_LABELS)
          .classicUpperBounds(TTFC_BUCKETS).classicOnly()
          .build());
      timePerOutputChunk = r.add(histogram().name(TIME_PER_OUTPUT_CHUNK)
          .help("Streams: time between consecutive events that carry content")
          .labelNames(CALL_LABELS)
          .classicUpperBounds(CHUNK_GAP_BUCKETS).classicOnly()
          .build());
      tokens = r.add(counter().name(TOKENS)
          .help("Tokens used by LLM calls; cache_read and cache_creation are part of input, "
              + "reasoning is part of output")
          .labelNames(concat(with(CALL_LABELS, "gen_ai_token_type"), keyNames))
          .build());
      cost = r.add(counter().name(COST)
          .help("Cost of LLM calls in US dollars by billing component; components sum to the cost")
          .labelNames(concat(with(CALL_LABELS, "gen_ai_token_type"), keyNames))
          .build());
      unpriced = r.add(counter().name(UNPRICED)
          .help("LLM calls with usage whose model has no price: their cost is missing from the "
              + "cost counter")
          .labelNames(CALL_LABELS)
          .build());
      inFlight = r.add(gauge().name(IN_FLIGHT)
          .help("LLM calls started whose response body has not ended yet")
          .labelNames(IN_FLIGHT_LABELS)
          .build());
      rateLimitRemaining = r.add(gauge().name(RATE_LIMIT_REMAINING)
          .help("Remaining requests or tokens in the provider's rate-limit window, as last reported")
          .labelNames(RATE_LIMIT_LABELS)
          .build());
      rateLimitLimit = r.add(gauge().name(RATE_LIMIT_LIMIT)
          .help("Size of the provider's rate-limit window, as last reported")
          .labelNames(RATE_LIMIT_LABELS)
          .build());
      rateLimitReset = r.add(gauge().name(RATE_LIMIT_RESET)
          .help("When the provider's rate-limit window resets, in unix seconds, as last reported")
          .labelNames(RATE_LIMIT_LABELS)
          .build());
      invalidResponses = r.add(counter().name(INVALID_RESPONSES)
          .help("2xx responses that are not a usable answer (ghost successes), by reason")
          .labelNames(with(CALL_LABELS, "reason"))
          .build());
      finishReasons = r.add(counter().name(FINISH_REASONS)
          .help("Finish reasons reported by LLM responses, raw (stop, length, end_turn, SAFETY...)")
          .labelNames(with(CALL_LABELS, "gen_ai_response_finish_reason"))
          .build());
      skippedEvents = r.add(counter().name(SKIPPED_EVENTS)
          .help("Stream events delivered to the application but too large to parse")
          .labelNames(CALL_LABELS)
          .build());
      instrumentationErrors = r.add(counter().name(INSTRUMENTATION_ERRORS)
          .help("Internal failures of LLM Pulse; the application's call went on unaffected")
          .build());
      unparsedResponses = r.add(counter().name(UNPARSED_RESPONSES)
          .help("Answers LLM Pulse could not read (e.g. an unsupported Content-Encoding): no "
              + "tokens, no verdict, never a ghost success")
          .labelNames(with(CALL_LABELS, "reason"))
          .build());
      if (keyNames.length == 0) {
        calls = null;
        attribution = null;
      } else {
        calls = r.add(counter().name(CALLS)
            .help("LLM calls by outcome (error_type empty on success) and attribution")
            .labelNames(concat(with(CALL_LABELS, "error_type"), keyNames))
            .build());
        attribution = new AttributionLabels(keys, r.add(counter().name(ATTRIBUTION_DROPPED)
            .help("Attribution values that did not become their own label: undeclared_key "
                + "(ignored), not_allowed and over_cap (_OTHER), too_long and control_character "
                + "(_INVALID)")
            .labelNames("reason")
            .build()));
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw r.conflict(e);
    }
  }

  /**
   * True when client_java's exemplar sampler can run: it needs {@code
   * prometheus-metrics-tracer-initializer}, which Micrometer's Prometheus registry (and so every
   * Spring Boot host) excludes. Without it a histogram with exemplars throws {@code
   * NoClassDefFoundError} on its first observation, so LLM Pulse builds its metrics without.
   */
  static final boolean EXEMPLARS_SUPPORTED =
      isPresent("io.prometheus.metrics.tracer.initializer.SpanContextSupplier");

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, LlmMetrics.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static Histogram.Builder histogram() {
    Histogram.Builder builder = Histogram.builder();
    return EXEMPLARS_SUPPORTED ? builder : builder.withoutExemplars();
  }

  private static Counter.Builder counter() {
    return Counter.builder().withoutExemplars();
  }

  private static Gauge.Builder gauge() {
    return Gauge.builder().withoutExemplars();
  }

  /**
   * Registers the metric set's collectors one by one; when the registry refuses one (a metric
   * of the same name registered by someone else), unregisters those already added and explains.
   */
  private static final class Registration {
    private final PrometheusRegistry registry;
    private final List<Collector> added = new ArrayList<>();
    private String current = "";

    Registration(PrometheusRegistry registry) {
      this.registry = registry;
    }

    <T extends Collector> T add(T collector) {
      current = collector.getPrometheusName();
      registry.register(collector);
      added.add(collector);
      return collector;
    }

    IllegalStateException conflict(RuntimeException cause) {
      for (Collector c : added) {
        try {
          registry.unregister(c);
        } catch (RuntimeException ignored) {
          // Best effort: the registry is left as it was found where it can be.
        }
      }
      return new IllegalStateException("LLM Pulse cannot register its metric '" + current
          + "' in this PrometheusRegistry: another metric already uses that name ("
          + cause.getMessage() + "). Another library (Spring AI's gen_ai.client.token.usage "
          + "meter, for one) or another LLM Pulse version registered it. Give LLM Pulse its own "
          + "PrometheusRegistry, or remove or rename the other metric (with Micrometer: "
          + "MeterFilter.deny on its name).", cause);
    }
  }

  /**
   * The metric set of {@code registry}, registered on first use (without attribution keys, when
   * this registers it).
   */
  public static LlmMetrics forRegistry(PrometheusRegistry registry) {
    if (registry == null) throw new NullPointerException("registry");
    synchronized (BY_REGISTRY) {
      return BY_REGISTRY.computeIfAbsent(registry, r -> new LlmMetrics(r, Collections.emptyList()));
    }
  }

  /**
   * The metric set of {@code registry} with these attribution keys, registered on first use.
   *
   * @throws IllegalStateException when the registry's metric set was registered with other keys:
   *     the label names of a metric are fixed, so every binding on one registry declares the same
   */
  public static LlmMetrics forRegistry(PrometheusRegistry registry, List<Attribution.Key> keys) {
    if (registry == null) throw new NullPointerException("registry");
    List<Attribution.Key> declared = Collections.unmodifiableList(new ArrayList<>(keys));
    synchronized (BY_REGISTRY) {
      LlmMetrics metrics = BY_REGISTRY.get(registry);
      if (metrics == null) {
        metrics = new LlmMetrics(registry, declared);
        BY_REGISTRY.put(registry, metrics);
      } else if (!metrics.attributionKeys().equals(declared)) {
        throw new IllegalStateException("This PrometheusRegistry's LLM Pulse metrics are already "
            + "registered with attribution keys " + metrics.attributionKeys() + ", not "
            + declared + ": every LLM Pulse binding on one registry must declare the same "
            + "attribution keys (or give each its own registry)");
      }
      return metrics;
    }
  }

  /** The declared attribution keys, in order; empty when none. */
  public List<Attribution.Key> attributionKeys() {
    return attribution == null ? Collections.<Attribution.Key>emptyList() : attribution.keys;
  }

  /** The attribution label values of this metric set, or null when no key is declared. */
  public AttributionLabels attribution() {
    return attribution;
  }

  /**
   * Starts observing one call; the in-flight gauge goes up until the call ends.
   *
   * @param format the request's wire format
   * @param provider the {@code gen_ai_provider_name}
   * @param requestModel the model asked for, empty if unknown
   * @param serverAddress the request host
   * @param streamRequested the request asked for a stream
   * @param costModel prices the call's usage
   * @param clock monotonic nanoseconds, {@code System::nanoTime} outside tests
   * @param observer sees the call start and end (health tracking), or null
   */
  public LlmCall startCall(WireFormat format, String provider, String requestModel,
      String serverAddress, boolean streamRequested, CostModel costModel, LongSupplier clock,
      CallObserver observer) {
    return new LlmCall(this, format, providers.apply(provider), requestModels.apply(requestModel),
        addresses.apply(serverAddress), streamRequested, costModel, clock, observer);
  }

  /**
   * The data points of one label combination, kept across calls.
   *
   * @param attribution the call's attribution values, null without attribution keys
   */
  CallSeries callSeries(String operation, String provider, String requestModel,
      String responseModel, String address, String[] attribution) {
    if (attribution == null) {
      return cached(callSeries, newCallSeries,
          new String[] {operation, provider, requestModel, responseModel, address});
    }
    String[] all = new String[CALL_LABELS.length + attribution.length];
    all[0] = operation;
    all[1] = provider;
    all[2] = requestModel;
    all[3] = responseModel;
    all[4] = address;
    System.arraycopy(attribution, 0, all, CALL_LABELS.length, attribution.length);
    return cached(callSeries, newCallSeries, all);
  }

  /** The series of one request's labels (capped values), kept across calls. */
  RequestSeries requestSeries(String operation, String provider, String requestModel,
      String address) {
    int hash = RequestSeries.hash(operation, provider, requestModel, address);
    int bucket = hash & (REQUEST_BUCKETS - 1);
    for (RequestSeries s = requestTable.get(bucket); s != null; s = s.next) {
      if (s.matches(hash, operation, provider, requestModel, address)) return s;
    }
    synchronized (requestTable) {
      RequestSeries head = requestTable.get(bucket);
      for (RequestSeries s = head; s != null; s = s.next) {
        if (s.matches(hash, operation, provider, requestModel, address)) return s;
      }
      if (requestCount >= MAX_CACHED_COMBINATIONS) {
        return new RequestSeries(this, operation, provider, requestModel, address, hash, null);
      }
      RequestSeries s =
          new RequestSeries(this, operation, provider, requestModel, address, hash, head);
      requestTable.set(bucket, s);
      requestCount++;
      return s;
    }
  }

  /** The rate-limit gauges of one upstream and request model, kept across calls. */
  RateLimitSeries rateLimitSeries(String provider, String address, String requestModel) {
    return cached(rateLimitSeries, newRateLimitSeries,
        new String[] {provider, address, requestModel});
  }

  /** The holder of {@code labels} in {@code cache}, made (and kept while there is room). */
  private static <T> T cached(ConcurrentHashMap<List<String>, T> cache,
      Function<String[], T> create, String[] labels) {
    List<String> key = Arrays.asList(labels);
    T series = cache.get(key);
    if (series != null) return series;
    series = create.apply(labels);
    if (cache.size() >= MAX_CACHED_COMBINATIONS) return series;
    T raced = cache.putIfAbsent(key, series);
    return raced != null ? raced : series;
  }

  /**
   * Sees every stage of every call of this metric set and may throw there: how the tests prove
   * that a failure anywhere inside LLM Pulse still ends the call exactly once. Null outside them.
   */
  volatile Consumer<LlmCall.Stage> stageHook;

  void reached(LlmCall.Stage stage) {
    Consumer<LlmCall.Stage> hook = stageHook;
    if (hook != null) hook.accept(stage);
  }

  /** Counts an internal failure and logs the first one; never throws. */
  public void internalError(Throwable t) {
    try {
      instrumentationErrors.inc();
      if (loggedInternalError.compareAndSet(false, true)) {
        LOG.log(Level.WARNING, "LLM Pulse internal error (logged once; the call went on)", t);
      }
    } catch (RuntimeException | LinkageError ignored) {
      // Nothing more can be done without risking the application's call.
    }
  }

  /** {@code labels} followed by {@code more}. */
  static String[] concat(String[] labels, String[] more) {
    if (more == null || more.length == 0) return labels;
    String[] all = Arrays.copyOf(labels, labels.length + more.length);
    System.arraycopy(more, 0, all, labels.length, more.length);
    return all;
  }

  /** {@code labels} and one more. */
  static String[] with(String[] labels, String extra) {
    String[] all = Arrays.copyOf(labels, labels.length + 1);
    all[labels.length] = extra;
    return all;
  }

  private static double[] exponential(double start, double factor, int count) {
    double[] buckets = new double[count];
    double value = start;
    for (int i = 0; i < count; i++) {
      buckets[i] = Math.round(value * 1e6) / 1e6;
      value *= factor;
    }
    return buckets;
  }
}

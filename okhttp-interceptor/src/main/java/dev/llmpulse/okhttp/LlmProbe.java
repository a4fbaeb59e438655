package dev.llmpulse.okhttp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.internal.ResponseScanner;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.internal.ProviderNames;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Probes an LLM API during quiet periods, through the application's own client (so its auth,
 * proxy and the {@link LlmMetricsInterceptor} apply, and the probe's cost is counted with the
 * rest): {@code GET {base}/models} and/or a minimal generation ({@code max_tokens} 1) of a model
 * you choose. Results in the style of the blackbox exporter:
 *
 * <pre>
 * gen_ai_client_probe_success{gen_ai_provider_name="openai",server_address="api.openai.com",gen_ai_request_model="gpt-4o-mini"} 1
 * gen_ai_client_probe_duration_seconds{gen_ai_provider_name="openai",server_address="api.openai.com",gen_ai_request_model="gpt-4o-mini"} 0.412
 * gen_ai_client_probes_total{gen_ai_provider_name="openai",server_address="api.openai.com",gen_ai_request_model="gpt-4o-mini",result="skipped"} 3
 * </pre>
 *
 * <p>A probe succeeds on a 2xx whose body is a valid answer (a 200 with an empty, truncated or
 * HTML body fails). Probing never runs faster than every 10 s: providers ban keys that poll
 * faster (the exporter this replaces had its key banned at 5 s). Intervals get ± jitter; after a
 * failure the next probe waits exponentially longer, and at least the {@code Retry-After} of a
 * 429; while the last rate-limit headers seen show less headroom than
 * {@link Builder#minHeadroom}, rounds are skipped. Probe requests carry the header
 * {@code X-LLM-Pulse-Probe: 1} and an OkHttp tag; the interceptor leaves them out of the passive
 * health tracker (they still count in every other metric, cost included).
 *
 * <pre>{@code
 * LlmProbe probe = LlmProbe.builder(client, "https://api.openai.com/v1")
 *     .registry(registry)
 *     .models()                       // GET /v1/models
 *     .generation("gpt-4o-mini")      // POST /v1/chat/completions, max_tokens 1
 *     .interval(Duration.ofSeconds(30))
 *     .build();
 * probe.start();
 * // on shutdown: probe.close();
 * }</pre>
 */
public final class LlmProbe implements Closeable {
  public static final String SUCCESS = "gen_ai_client_probe_success";
  public static final String DURATION = "gen_ai_client_probe_duration_seconds";
  public static final String PROBES = "gen_ai_client_probes";
  /** The request header every probe carries. */
  public static final String PROBE_HEADER = "X-LLM-Pulse-Probe";
  /** The shortest interval allowed. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(LlmProbe.class.getName());
  private static final MediaType JSON_TYPE = MediaType.get("application/json");
  private static final JsonFactory JSON = new JsonFactory();
  private static final int MAX_BACKOFF_DOUBLINGS = 10;

  /** The outcome of one probe round. */
  public enum Result {
    SUCCESS("success"), FAILURE("failure"), SKIPPED("skipped");

    private final String label;

    Result(String label) {
      this.label = label;
    }

    /** The {@code result} label value. */
    public String label() {
      return label;
    }
  }

  /** Marks a probe's request (OkHttp request tag) so the health tracker leaves it out. */
  static final class Tag {
    static final Tag INSTANCE = new Tag();

    private Tag() {}

    @Override
    public String toString() {
      return "LlmProbe";
    }
  }

  /** Runs a task after a delay; the default is a daemon thread, tests run tasks by hand. */
  interface Scheduler {
    Future<?> schedule(Runnable task, long delayNanos);

    void shutdown();
  }

  private final OkHttpClient client;
  private final List<Target> targets;
  private final long intervalNanos;
  private final long maxBackoffNanos;
  private final long timeoutNanos;
  private final double jitter;
  private final double minHeadroom;
  private final LongSupplier clock;
  private final LongSupplier wallMillis;
  private final DoubleSupplier random;
  private final Scheduler scheduler;
  private final ProbeMetrics metrics;

  private final Object lock = new Object();
  private int consecutiveFailures;
  private double retryAfterSeconds = Double.NaN;
  private RateLimitSnapshot lastLimits = RateLimitSnapshot.EMPTY;
  private long lastDelayNanos = -1;
  private Future<?> next;
  private boolean started;
  private boolean closed;

  private LlmProbe(Builder b) {
    this.client = b.client;
    this.intervalNanos = b.interval.toNanos();
    this.maxBackoffNanos = Math.max(intervalNanos, b.maxBackoff.toNanos());
    this.timeoutNanos = b.timeout.toNanos();
    this.jitter = b.jitter;
    this.minHeadroom = b.minHeadroom;
    this.clock = b.clock;
    this.wallMillis = b.wallMillis;
    this.random = b.random;
    this.scheduler = b.scheduler != null ? b.scheduler : executorScheduler(b.executor);
    this.metrics = ProbeMetrics.forRegistry(b.registry);
    String host = b.base.host();
    String provider = b.provider;
    if (provider == null) {
      LlmMetricsInterceptor interceptor = interceptorOf(b.client);
      provider = interceptor != null ? interceptor.providerName(host)
          : new ProviderNames(Map.of()).forHost(host);
    }
    List<Target> list = new ArrayList<>();
    if (b.models) list.add(modelsTarget(b, provider));
    if (b.generationModel != null) list.add(generationTarget(b, provider));
    this.targets = List.copyOf(list);
    for (Target t : targets) metrics.init(t.labels);
  }

  /**
   * Starts a probe of the API at {@code baseUrl} (the URL your SDK is configured with, e.g.
   * {@code https://api.openai.com/v1}, {@code https://api.anthropic.com/v1},
   * {@code https://generativelanguage.googleapis.com/v1beta}) through {@code client}.
   */
  public static Builder builder(OkHttpClient client, String baseUrl) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(baseUrl, "baseUrl");
    HttpUrl base = HttpUrl.parse(baseUrl);
    if (base == null) throw new IllegalArgumentException("not an http(s) URL: " + baseUrl);
    return new Builder(client, base);
  }

  /** Schedules probing: a first round after a random part of the jitter, then by the interval. */
  public void start() {
    synchronized (lock) {
      if (closed) throw new IllegalStateException("probe is closed");
      if (started) return;
      started = true;
      scheduleLocked((long) (intervalNanos * jitter * random.getAsDouble()));
    }
  }

  /** Runs one round now, on this thread, and returns its result; scheduled rounds go on. */
  public Result probeOnce() {
    synchronized (lock) {
      return roundLocked();
    }
  }

  /** Stops scheduling; a round in progress finishes. Shuts down the probe's own thread. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) return;
      closed = true;
      if (next != null) next.cancel(false);
    }
    scheduler.shutdown();
  }

  /** The delay chosen after the last round, -1 before any; for tests. */
  long lastDelayNanos() {
    synchronized (lock) {
      return lastDelayNanos;
    }
  }

  private void scheduledRound() {
    synchronized (lock) {
      if (closed) return;
      try {
        roundLocked();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "LLM Pulse probe round failed", e);
      } finally {
        if (!closed) scheduleLocked(lastDelayNanos >= 0 ? lastDelayNanos : intervalNanos);
      }
    }
  }

  private void scheduleLocked(long delayNanos) {
    next = scheduler.schedule(this::scheduledRound, delayNanos);
  }

  private Result roundLocked() {
    if (lowHeadroom()) {
      for (Target t : targets) metrics.skipped(t.labels);
      lastDelayNanos = jittered(intervalNanos);
      return Result.SKIPPED;
    }
    boolean failed = false;
    retryAfterSeconds = Double.NaN;
    for (Target t : targets) {
      boolean ok = run(t);
      failed |= !ok;
    }
    if (failed) {
      consecutiveFailures++;
      long backoff = intervalNanos << Math.min(consecutiveFailures, MAX_BACKOFF_DOUBLINGS);
      long delay = jittered(Math.min(maxBackoffNanos, backoff));
      if (!Double.isNaN(retryAfterSeconds)) {
        delay = Math.max(delay, (long) Math.ceil(retryAfterSeconds * 1e9));
      }
      lastDelayNanos = delay;
      return Result.FAILURE;
    }
    consecutiveFailures = 0;
    lastDelayNanos = jittered(intervalNanos);
    return Result.SUCCESS;
  }

  private long jittered(long nanos) {
    double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
    return Math.max(MIN_INTERVAL.toNanos(), (long) (nanos * factor));
  }

  /** True while the last rate-limit headers seen leave less than minHeadroom of a window. */
  private boolean lowHeadroom() {
    RateLimitSnapshot limits = lastLimits;
    if (limits.isEmpty() || minHeadroom <= 0) return false;
    double nowSeconds = wallMillis.getAsLong() / 1000.0;
    for (RateLimitSnapshot.LimitType type : RateLimitSnapshot.LimitType.values()) {
      double remaining = limits.remaining(type);
      if (Double.isNaN(remaining)) continue;
      double reset = limits.resetEpochSeconds(type);
      if (!Double.isNaN(reset) && reset <= nowSeconds) continue; // the window has been refilled
      double limit = limits.limit(type);
      double headroom = Double.isNaN(limit) || limit <= 0 ? (remaining > 0 ? 1 : 0)
          : remaining / limit;
      if (headroom < minHeadroom) return true;
    }
    return false;
  }

  private boolean run(Target target) {
    long start = clock.getAsLong();
    boolean ok = false;
    Call call = client.newCall(target.request);
    call.timeout().timeout(timeoutNanos, TimeUnit.NANOSECONDS);
    try (Response response = call.execute()) {
      int code = response.code();
      RateLimitSnapshot limits =
          RateLimitSnapshot.parse(response::header, code, wallMillis.getAsLong());
      if (!limits.isEmpty()) lastLimits = limits;
      if (!Double.isNaN(limits.retryAfterSeconds())) {
        retryAfterSeconds = Double.isNaN(retryAfterSeconds) ? limits.retryAfterSeconds()
            : Math.max(retryAfterSeconds, limits.retryAfterSeconds());
      }
      ResponseBody body = response.body();
      ok = response.isSuccessful() && body != null && target.valid(code, response, body);
    } catch (IOException | RuntimeException e) {
      ok = false;
    }
    metrics.record(target.labels, ok, (clock.getAsLong() - start) / 1e9);
    return ok;
  }

  private static LlmMetricsInterceptor interceptorOf(OkHttpClient client) {
    for (Interceptor i : client.interceptors()) {
      if (i instanceof LlmMetricsInterceptor) return (LlmMetricsInterceptor) i;
    }
    return null;
  }

  private static Request.Builder probeRequest(Builder b, HttpUrl url) {
    Request.Builder r = new Request.Builder().url(url)
        .header(PROBE_HEADER, "1")
        .tag(Tag.class, Tag.INSTANCE);
    for (Map.Entry<String, String> h : b.headers.entrySet()) r.header(h.getKey(), h.getValue());
    return r;
  }

  private static Target modelsTarget(Builder b, String provider) {
    HttpUrl url = b.base.newBuilder().addPathSegment("models").build();
    Request request = probeRequest(b, url).get().build();
    return new Target(request, new String[] {provider, b.base.host(), ""}, null);
  }

  private static Target generationTarget(Builder b, String provider) {
    String model = b.generationModel;
    String quoted = new String(JsonStringEncoder.getInstance().quoteAsString(model));
    String host = b.base.host();
    WireFormat format;
    HttpUrl url;
    String body;
    Request.Builder request;
    if (host.endsWith("anthropic.com")) {
      format = WireFormat.ANTHROPIC_MESSAGES;
      url = b.base.newBuilder().addPathSegment("messages").build();
      body = "{\"model\":\"" + quoted + "\",\"max_tokens\":1,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
      request = probeRequest(b, url);
      if (!b.headers.containsKey("anthropic-version")) {
        request.header("anthropic-version", "2023-06-01");
      }
    } else if (host.endsWith("googleapis.com")) {
      format = WireFormat.GEMINI;
      url = b.base.newBuilder().addPathSegment("models").addPathSegment(model + ":generateContent")
          .build();
      body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"ping\"}]}],"
          + "\"generationConfig\":{\"maxOutputTokens\":1}}";
      request = probeRequest(b, url);
    } else {
      format = WireFormat.OPENAI_CHAT;
      url = b.base.newBuilder().addPathSegments("chat/completions").build();
      body = "{\"model\":\"" + quoted + "\",\"max_tokens\":1,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
      request = probeRequest(b, url);
    }
    request.post(RequestBody.create(body, JSON_TYPE));
    return new Target(request.build(), new String[] {provider, host, model}, format);
  }

  /** One probed request: its labels and how its body is judged. */
  private static final class Target {
    final Request request;
    final String[] labels;
    final WireFormat format; // null: a models list

    Target(Request request, String[] labels, WireFormat format) {
      this.request = request;
      this.labels = labels;
      this.format = format;
    }

    boolean valid(int code, Response response, ResponseBody body) throws IOException {
      String contentType = response.header("Content-Type");
      return format == null ? validList(contentType, body) : validAnswer(code, contentType, body);
    }

    /** A generation: the same verdict as the interceptor's (ghost successes fail). */
    private boolean validAnswer(int code, String contentType, ResponseBody body)
        throws IOException {
      ResponseScanner scanner = ResponseScanner.builder(format).httpStatus(code)
          .contentType(contentType).streamExpected(false).build();
      byte[] buffer = new byte[8192];
      try (InputStream in = body.byteStream()) {
        for (int n; (n = in.read(buffer)) != -1; ) scanner.feed(buffer, 0, n);
      }
      scanner.endOfInput();
      return scanner.invalidReason() == null;
    }

    /** A models list: one complete JSON object or array, not an HTML page. */
    private static boolean validList(String contentType, ResponseBody body) throws IOException {
      String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
      if (type.startsWith("text/html") || type.startsWith("text/plain")) return false;
      try (InputStream in = body.byteStream(); JsonParser parser = JSON.createParser(in)) {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) return false;
        parser.skipChildren();
        return parser.nextToken() == null;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return false;
      }
    }
  }

  private static Scheduler executorScheduler(ScheduledExecutorService given) {
    ScheduledExecutorService executor = given != null ? given
        : Executors.newSingleThreadScheduledExecutor(task -> {
          Thread t = new Thread(task, "llmpulse-probe");
          t.setDaemon(true);
          return t;
        });
    boolean own = given == null;
    return new Scheduler() {
      @Override
      public Future<?> schedule(Runnable task, long delayNanos) {
        return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      }

      @Override
      public void shutdown() {
        if (own) executor.shutdownNow();
      }
    };
  }

  /** The probe metrics of one registry, registered once. */
  static final class ProbeMetrics {
    private static final Map<PrometheusRegistry, ProbeMetrics> BY_REGISTRY = new WeakHashMap<>();
    private static final String[] LABELS =
        {"gen_ai_provider_name", "server_address", "gen_ai_request_model"};

    final Gauge success;
    final Gauge duration;
    final Counter probes;

    private ProbeMetrics(PrometheusRegistry registry) {
      success = Gauge.builder().name(SUCCESS)
          .help("1 if the last LLM probe succeeded (2xx and a valid body), else 0")
          .labelNames(LABELS).withoutExemplars().register(registry);
      duration = Gauge.builder().name(DURATION)
          .help("Duration of the last LLM probe, to the end of its body")
          .labelNames(LABELS).withoutExemplars().register(registry);
      probes = Counter.builder().name(PROBES)
          .help("LLM probes by result: success, failure, or skipped for low rate-limit headroom")
          .labelNames(LABELS[0], LABELS[1], LABELS[2], "result").withoutExemplars()
          .register(registry);
    }

    static ProbeMetrics forRegistry(PrometheusRegistry registry) {
      synchronized (BY_REGISTRY) {
        return BY_REGISTRY.computeIfAbsent(registry, ProbeMetrics::new);
      }
    }

    void init(String[] labels) {
      for (Result r : Result.values()) {
        probes.initLabelValues(labels[0], labels[1], labels[2], r.label());
      }
    }

    void record(String[] labels, boolean ok, double seconds) {
      success.labelValues(labels).set(ok ? 1 : 0);
      duration.labelValues(labels).set(seconds);
      probes.labelValues(labels[0], labels[1], labels[2],
          (ok ? Result.SUCCESS : Result.FAILURE).label()).inc();
    }

    void skipped(String[] labels) {
      probes.labelValues(labels[0], labels[1], labels[2], Result.SKIPPED.label()).inc();
    }
  }

  /** Configures an {@link LlmProbe}; at least one of {@link #models()} and {@link #generation}. */
  public static final class Builder {
    private final OkHttpClient client;
    private final HttpUrl base;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private PrometheusRegistry registry = PrometheusRegistry.defaultRegistry;
    private String provider;
    private boolean models;
    private String generationModel;
    private Duration interval = Duration.ofSeconds(30);
    private Duration maxBackoff = Duration.ofMinutes(10);
    private Duration timeout = Duration.ofSeconds(30);
    private double jitter = 0.1;
    private double minHeadroom = 0.05;
    private ScheduledExecutorService executor;
    private Scheduler scheduler;
    private LongSupplier clock = System::nanoTime;
    private LongSupplier wallMillis = System::currentTimeMillis;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder(OkHttpClient client, HttpUrl base) {
      this.client = client;
      this.base = base;
    }

    /** Probes {@code GET {base}/models}: cheap, but says nothing about a model's health. */
    public Builder models() {
      this.models = true;
      return this;
    }

    /**
     * Probes a one-token generation of {@code model}: OpenAI-compatible chat completions, or
     * Anthropic Messages / Gemini generateContent when the base URL is theirs. It is real spend,
     * counted in {@code gen_ai_client_cost_usd_total} like any call.
     */
    public Builder generation(String model) {
      if (model == null || model.isEmpty()) throw new IllegalArgumentException("model is empty");
      this.generationModel = model;
      return this;
    }

    /**
     * Time between rounds, at least 10 s; default 30 s. Faster probing is rejected: providers
     * ban API keys for it.
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(MIN_INTERVAL) < 0) {
        throw new IllegalArgumentException("probe interval " + interval + " is below the 10 s floor:"
            + " providers ban API keys that probe faster (the exporter LLM Pulse replaces had its"
            + " key banned when probing every 5 s)");
      }
      this.interval = interval;
      return this;
    }

    /** Random spread of each interval, 0 to 0.5 of it; default 0.1 (± 10 %). */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 0.5)) {
        throw new IllegalArgumentException("jitter must be in [0, 0.5]: " + fraction);
      }
      this.jitter = fraction;
      return this;
    }

    /** The longest wait after repeated failures (doubling from the interval); default 10 min. */
    public Builder maxBackoff(Duration maxBackoff) {
      Objects.requireNonNull(maxBackoff, "maxBackoff");
      if (maxBackoff.compareTo(MIN_INTERVAL) < 0) {
        throw new IllegalArgumentException("maxBackoff must be at least 10 s: " + maxBackoff);
      }
      this.maxBackoff = maxBackoff;
      return this;
    }

    /** Whole-call timeout of one probe request; default 30 s. */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Skips rounds while the last rate-limit headers the probe saw leave less than this fraction
     * of any window (remaining / limit) and that window has not reset; default 0.05, 0 never
     * skips. The probe must not eat the quota the application needs.
     */
    public Builder minHeadroom(double fraction) {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException("minHeadroom must be in [0, 1): " + fraction);
      }
      this.minHeadroom = fraction;
      return this;
    }

    /** A header for every probe request, e.g. an API key the client does not add itself. */
    public Builder header(String name, String value) {
      if (name == null || name.isEmpty()) throw new IllegalArgumentException("header name is empty");
      Objects.requireNonNull(value, "value");
      headers.put(name, value);
      return this;
    }

    /** Where the probe metrics go; default {@code PrometheusRegistry.defaultRegistry}. */
    public Builder registry(PrometheusRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The {@code gen_ai_provider_name} label; default: what the client's
     * {@link LlmMetricsInterceptor} calls the host, else the well-known name.
     */
    public Builder provider(String providerName) {
      if (providerName == null || providerName.isEmpty()) {
        throw new IllegalArgumentException("provider name is empty");
      }
      this.provider = providerName;
      return this;
    }

    /** Runs the rounds on {@code executor} (not shut down by close); default: a daemon thread. */
    public Builder executor(ScheduledExecutorService executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    Builder clock(LongSupplier clock) {
      this.clock = clock;
      return this;
    }

    Builder wallMillis(LongSupplier wallMillis) {
      this.wallMillis = wallMillis;
      return this;
    }

    Builder random(DoubleSupplier random) {
      this.random = random;
      return this;
    }

    public LlmProbe build() {
      if (!models && generationModel == null) {
        throw new IllegalStateException("nothing to probe: call models() and/or generation(model)");
      }
      return new LlmProbe(this);
    }
  }
}

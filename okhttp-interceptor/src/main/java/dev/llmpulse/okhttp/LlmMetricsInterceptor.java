package dev.llmpulse.okhttp;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.LlmCall;
import dev.llmpulse.core.LlmMetrics;
import dev.llmpulse.core.RateLimitSnapshot;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.pricing.PriceTable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * An OkHttp interceptor that records every LLM call of the client in Prometheus: latency to the
 * end of the body, time to first chunk of streams, status and error type, rate-limit headroom,
 * token usage, cost, finish reasons, ghost successes and calls in flight. The application reads
 * exactly the bytes it would read without it, as soon as it would; nothing of the
 * instrumentation ever throws into the call.
 *
 * <pre>{@code
 * PrometheusRegistry registry = new PrometheusRegistry();          // or the host app's registry
 * LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
 *     .registry(registry)                        // default PrometheusRegistry.defaultRegistry
 *     .provider("api.holysheep.ai", "holysheep") // optional: host -> gen_ai_provider_name
 *     .prices(PriceTable.fromLiteLlm(in))        // optional: default PriceTable.bundled()
 *     .build();
 * OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor).build();
 * }</pre>
 *
 * <p>Add it with {@code addInterceptor} (an application interceptor): it then sees one call per
 * application request, bodies already decompressed, and retries and redirects inside the call.
 */
public final class LlmMetricsInterceptor implements Interceptor {
  private final LlmMetrics metrics;
  private final ProviderNames providers;
  private final CostModel costModel;
  private final LongSupplier clock;
  private final ValidationMode validation;
  private final long maxEnforcedBodyBytes;
  private final HealthTracker health;

  private LlmMetricsInterceptor(Builder builder) {
    this.metrics = LlmMetrics.forRegistry(builder.registry);
    this.providers = new ProviderNames(new HashMap<>(builder.providers));
    this.costModel = builder.costModel != null ? builder.costModel : PriceTable.bundled();
    this.clock = builder.clock;
    this.validation = builder.validation;
    this.maxEnforcedBodyBytes = builder.maxEnforcedBodyBytes;
    this.health = HealthTracker.create(builder.healthPolicy, builder.registry, builder.clock);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Passive health of every upstream this interceptor has seen (probe calls excluded): read it,
   * or subscribe to state changes to shed load or fail over.
   */
  public HealthTracker health() {
    return health;
  }

  /** The {@code gen_ai_provider_name} this interceptor gives {@code host}. */
  String providerName(String host) {
    return providers.forHost(host);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    RequestFacts facts = facts(request);
    LlmCall call = facts == null ? null : start(request, facts);
    if (call == null) return chain.proceed(request);

    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      call.onFailure(errorType(chain.call(), e));
      throw e;
    } catch (RuntimeException | Error e) {
      call.onFailure("io_error");
      throw e;
    }
    return observe(call, chain.call(), facts, response);
  }

  private RequestFacts facts(Request request) {
    try {
      return RequestFacts.of(request);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      return null;
    }
  }

  private LlmCall start(Request request, RequestFacts facts) {
    try {
      String host = request.url().host();
      return metrics.startCall(facts.format, providers.forHost(host), facts.model, host,
              facts.stream, costModel, clock,
              request.tag(LlmProbe.Tag.class) != null ? null : health) // probes: not health
          .rawRequestModel(facts.model);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      return null;
    }
  }

  private Response observe(LlmCall call, Call okCall, RequestFacts facts, Response response)
      throws IOException {
    MeteredBody metered;
    try {
      int code = response.code();
      RateLimitSnapshot limits =
          RateLimitSnapshot.parse(response::header, code, System.currentTimeMillis());
      call.onResponse(code, response.header("Content-Type"), limits);
      ResponseBody body = response.body();
      if (body == null || "HEAD".equals(response.request().method())) {
        call.onNoBody();
        return response;
      }
      String host = response.request().url().host();
      MeteredBody.EofCheck enforce = validation != ValidationMode.ENFORCE ? null
          : ended -> ended.invalidReason() == null ? null
              : new InvalidLlmResponseException(ended.invalidReason(), host, code);
      metered = new MeteredBody(body, call, e -> errorType(okCall, e), enforce);
      if (enforce == null || !facts.format.isParsed() || !response.isSuccessful()
          || call.isStream()) {
        return response.newBuilder().body(metered).build();
      }
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      call.onNoBody();
      return response;
    }
    return readWholeAndJudge(call, okCall, response, metered);
  }

  /**
   * ENFORCE, non-streaming: read the body (up to the cap) before the app does, so an invalid one
   * fails the call itself. Bodies above the cap are passed through and judged at EOF.
   */
  private Response readWholeAndJudge(LlmCall call, Call okCall, Response response,
      MeteredBody metered) throws IOException {
    okio.BufferedSource original = response.body().source();
    try {
      if (original.request(maxEnforcedBodyBytes + 1)) {
        return response.newBuilder().body(metered).build(); // too big to hold: judged at EOF
      }
    } catch (IOException e) {
      call.onFailure(errorType(okCall, e));
      response.close();
      throw e;
    }
    okio.Buffer whole = new okio.Buffer();
    try {
      metered.source().readAll(whole); // EOF through the tee: the call is recorded and judged
    } catch (IOException e) {
      response.close();
      throw e;
    }
    metered.close();
    return response.newBuilder()
        .body(ResponseBody.create(whole, metered.contentType(), whole.size()))
        .build();
  }

  static String errorType(Call call, IOException e) {
    if (call != null && call.isCanceled()) return "canceled";
    if (e instanceof SocketTimeoutException) return "timeout";
    if (e instanceof InterruptedIOException
        && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
      return "timeout"; // OkHttp's call timeout
    }
    if (e instanceof ConnectException || e instanceof UnknownHostException
        || e instanceof NoRouteToHostException || e instanceof SSLHandshakeException) {
      return "connect_error";
    }
    String message = String.valueOf(e.getMessage());
    if ("Canceled".equals(message) || "canceled".equals(message)) return "canceled";
    return "io_error";
  }

  /** Configures an {@link LlmMetricsInterceptor}; every setting is optional. */
  public static final class Builder {
    private PrometheusRegistry registry = PrometheusRegistry.defaultRegistry;
    private final Map<String, String> providers = new HashMap<>();
    private CostModel costModel;
    private LongSupplier clock = System::nanoTime;
    private ValidationMode validation = ValidationMode.OBSERVE;
    private long maxEnforcedBodyBytes = 1024 * 1024;
    private HealthPolicy healthPolicy = HealthPolicy.ofDefaults();

    private Builder() {}

    /** What to do with 2xx responses that are not a usable answer; default OBSERVE. */
    public Builder validation(ValidationMode mode) {
      if (mode == null) throw new NullPointerException("mode");
      this.validation = mode;
      return this;
    }

    /**
     * ENFORCE mode: the largest non-streaming body read whole before the app gets it (default
     * 1 MiB); larger bodies are passed through and judged when the app reaches their end.
     */
    public Builder maxEnforcedBodyBytes(long bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("maxEnforcedBodyBytes < 1024: " + bytes);
      this.maxEnforcedBodyBytes = bytes;
      return this;
    }

    /** Where the metrics go; several interceptors on one registry share one metric set. */
    public Builder registry(PrometheusRegistry registry) {
      if (registry == null) throw new NullPointerException("registry");
      this.registry = registry;
      return this;
    }

    /**
     * Names the provider behind {@code host} (exact host, case-insensitive) for the {@code
     * gen_ai_provider_name} label, e.g. a gateway or a reseller. Well-known hosts need none.
     */
    public Builder provider(String host, String providerName) {
      if (host == null || host.isEmpty()) throw new IllegalArgumentException("host is empty");
      if (providerName == null || providerName.isEmpty()) {
        throw new IllegalArgumentException("provider name for " + host + " is empty");
      }
      providers.put(host.toLowerCase(Locale.ROOT), providerName);
      return this;
    }

    /** Prices calls; default {@link PriceTable#bundled()}. {@link CostModel#NONE} turns cost off. */
    public Builder prices(CostModel costModel) {
      if (costModel == null) throw new NullPointerException("costModel");
      this.costModel = costModel;
      return this;
    }

    /** How the passive health tracker judges upstreams; default {@link HealthPolicy#ofDefaults()}. */
    public Builder health(HealthPolicy policy) {
      if (policy == null) throw new NullPointerException("policy");
      this.healthPolicy = policy;
      return this;
    }

    /** Monotonic nanoseconds; tests inject a fake clock. */
    Builder clock(LongSupplier clock) {
      this.clock = clock;
      return this;
    }

    public LlmMetricsInterceptor build() {
      return new LlmMetricsInterceptor(this);
    }
  }
}

package dev.llmpulse.okhttp;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.LlmCall;
import dev.llmpulse.core.LlmMetrics;
import dev.llmpulse.core.RateLimitSnapshot;
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

  private LlmMetricsInterceptor(Builder builder) {
    this.metrics = LlmMetrics.forRegistry(builder.registry);
    this.providers = new ProviderNames(new HashMap<>(builder.providers));
    this.costModel = builder.costModel != null ? builder.costModel : PriceTable.bundled();
    this.clock = builder.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    LlmCall call = start(request);
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
    return observe(call, chain.call(), response);
  }

  private LlmCall start(Request request) {
    try {
      RequestFacts facts = RequestFacts.of(request);
      String host = request.url().host();
      return metrics.startCall(facts.format, providers.forHost(host), facts.model, host,
              facts.stream, costModel, clock)
          .rawRequestModel(facts.model);
    } catch (RuntimeException e) {
      metrics.internalError(e);
      return null;
    }
  }

  private Response observe(LlmCall call, Call okCall, Response response) {
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
      MeteredBody metered = new MeteredBody(body, call, e -> errorType(okCall, e));
      return response.newBuilder().body(metered).build();
    } catch (RuntimeException e) {
      metrics.internalError(e);
      call.onNoBody();
      return response;
    }
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

    private Builder() {}

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

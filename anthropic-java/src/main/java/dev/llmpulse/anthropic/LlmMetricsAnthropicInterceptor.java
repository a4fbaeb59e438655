package dev.llmpulse.anthropic;

import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.Interceptor;
import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.pricing.PriceTable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/**
 * An interceptor for the official Anthropic Java SDK that records every LLM call of the client in
 * Prometheus: latency to the end of the body, time to first chunk of streams, status and error
 * type, rate-limit headroom, token usage, cost, finish reasons, ghost successes and calls in
 * flight. Sync, async and streaming calls alike; the SDK reads exactly the bytes it would read
 * without it, as soon as it would, and nothing of the instrumentation ever throws into the call.
 *
 * <pre>{@code
 * PrometheusRegistry registry = new PrometheusRegistry();          // or the host app's registry
 * AnthropicClient client = AnthropicOkHttpClient.builder()
 *     .fromEnv()
 *     .addInterceptor(LlmMetricsAnthropicInterceptor.builder().registry(registry).build())
 *     .build();
 * }</pre>
 *
 * <p>The SDK runs its interceptors inside its retries: each try is one call (a 529 retried twice
 * is three calls, two {@code 529} and the last one's outcome). Requests that are not LLM API
 * calls ({@code GET /v1/models}, token counting…) pass through untouched. An async call the
 * application cancels is not canceled by the SDK, whose answer still arrives unread: it ends as
 * {@code canceled} once that answer is garbage collected.
 *
 * <p>Needs anthropic-java 2.37.0 or later, the first with {@code addInterceptor}. Before 3.0 the
 * SDK resolves the base URL below its interceptors, so there {@code server_address} is empty and
 * the provider is {@code _OTHER}.
 */
public final class LlmMetricsAnthropicInterceptor implements Interceptor {
  private final Binding binding;

  private LlmMetricsAnthropicInterceptor(Builder builder) {
    this.binding = builder.settings.build(PriceTable.bundled());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Passive health of every upstream this interceptor has seen: read it, or subscribe to state
   * changes to shed load or fail over.
   */
  public HealthTracker health() {
    return binding.health();
  }

  @Override
  public HttpClient intercept(HttpClient next) {
    return new MeteredHttpClient(next, binding);
  }

  /** Configures an {@link LlmMetricsAnthropicInterceptor}; every setting is optional. */
  public static final class Builder {
    private final Binding.Settings settings = Binding.settings();

    private Builder() {}

    /** Where the metrics go; several interceptors on one registry share one metric set. */
    public Builder registry(PrometheusRegistry registry) {
      settings.registry(registry);
      return this;
    }

    /**
     * Names the provider behind {@code host} (exact host, case-insensitive) for the {@code
     * gen_ai_provider_name} label, e.g. a gateway set as the SDK's base URL. Well-known hosts
     * (Anthropic, Bedrock, Vertex AI) need none. Blank values are rejected.
     */
    public Builder provider(String host, String providerName) {
      settings.provider(host, providerName);
      return this;
    }

    /**
     * Records calls to a path the built-in detection does not know, as {@code format}: for a
     * gateway that renames the API paths. Only POSTs to a known LLM API path are recorded. A
     * request path matches when it ends with {@code path} at a segment boundary, ignoring case,
     * trailing slashes and the query.
     *
     * <pre>{@code
     * builder.apiPath("/gateway/claude/messages", WireFormat.ANTHROPIC_MESSAGES)
     * }</pre>
     */
    public Builder apiPath(String path, WireFormat format) {
      settings.apiPath(path, format);
      return this;
    }

    /** Prices calls; default {@link PriceTable#bundled()}. {@link CostModel#NONE} turns cost off. */
    public Builder prices(CostModel costModel) {
      settings.prices(costModel);
      return this;
    }

    /**
     * What to do with 2xx responses that are not a usable answer; default OBSERVE. In ENFORCE
     * mode such an answer fails the SDK call with an {@code AnthropicIoException} whose cause is
     * an {@link dev.llmpulse.core.InvalidLlmResponseException} (the SDK retries it like a network
     * failure); a stream fails at its end with the {@code InvalidLlmResponseException} itself.
     */
    public Builder validation(ValidationMode mode) {
      settings.validation(mode);
      return this;
    }

    /**
     * ENFORCE mode: the largest non-streaming body read whole before the SDK gets it (default
     * 1 MiB); larger bodies are passed through and judged when the SDK reaches their end.
     */
    public Builder maxEnforcedBodyBytes(long bytes) {
      settings.maxEnforcedBodyBytes(bytes);
      return this;
    }

    /**
     * Declares an attribution key: its values, set per call by {@link Attribution#with} around
     * a blocking or streaming SDK call (read on the thread that starts each try; the async
     * client starts its requests on its own executor, so they are untagged), become labels of
     * the tokens, cost and calls counters, bounded by the key's cap or allow-list. Every binding
     * on one registry declares the same keys.
     *
     * <pre>{@code
     * builder.attribution(Attribution.key("feature").allow("refunds", "order_status"))
     *     .attribution(Attribution.key("tenant").maxValues(50))
     * }</pre>
     */
    public Builder attribution(Attribution.Key key) {
      settings.attribution(key);
      return this;
    }

    /** How the passive health tracker judges upstreams; default {@link HealthPolicy#ofDefaults()}. */
    public Builder health(HealthPolicy policy) {
      settings.health(policy);
      return this;
    }

    /** Monotonic nanoseconds; tests inject a fake clock. */
    Builder clock(LongSupplier clock) {
      settings.clock(clock);
      return this;
    }

    /**
     * @throws IllegalStateException when the registry already holds a metric with one of LLM
     *     Pulse's names (the message says which, and the way out)
     */
    public LlmMetricsAnthropicInterceptor build() {
      return new LlmMetricsAnthropicInterceptor(this);
    }
  }
}

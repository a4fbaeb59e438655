package dev.llmpulse.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.pricing.PriceTable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A LangChain4j {@link HttpClientBuilder} that records every LLM call of the models built with it
 * in Prometheus: latency to the end of the body, time to first chunk of streams, status and error
 * type, rate-limit headroom, token usage, cost, finish reasons, ghost successes and calls in
 * flight. It wraps the builder of the client that really sends the requests; streamed answers
 * are teed as raw bytes before LangChain4j's event parser, so the first chunk is timed when its
 * bytes arrive. Nothing of the instrumentation ever throws into the call.
 *
 * <pre>{@code
 * PrometheusRegistry registry = new PrometheusRegistry();          // or the host app's registry
 * ChatModel model = OpenAiChatModel.builder()
 *     .apiKey(System.getenv("OPENAI_API_KEY"))
 *     .modelName("gpt-4o-mini")
 *     .httpClientBuilder(LlmMetricsHttpClientBuilder.wrap(JdkHttpClient.builder()).registry(registry))
 *     .build();
 * }</pre>
 *
 * <p>It sits below LangChain4j's retries, so each try is one call. LangChain4j hands a non-2xx
 * answer over as an exception that carries the status but not the headers: such a call is
 * recorded with its status, without the rate-limit headers of that answer.
 */
public final class LlmMetricsHttpClientBuilder implements HttpClientBuilder {
  private final HttpClientBuilder delegate;
  private final Binding.Settings settings = Binding.settings();
  private Binding binding; // made by the first build() or health(); a setting after it makes anew

  private LlmMetricsHttpClientBuilder(HttpClientBuilder delegate) {
    this.delegate = delegate;
  }

  /**
   * Wraps the builder of the client that sends the requests, e.g. {@code JdkHttpClient.builder()}
   * (configure it first: its own settings stay as they are).
   */
  public static LlmMetricsHttpClientBuilder wrap(HttpClientBuilder delegate) {
    return new LlmMetricsHttpClientBuilder(Objects.requireNonNull(delegate, "delegate"));
  }

  /** Where the metrics go; several builders on one registry share one metric set. */
  public LlmMetricsHttpClientBuilder registry(PrometheusRegistry registry) {
    settings.registry(registry);
    return changed();
  }

  /**
   * Names the provider behind {@code host} (exact host, case-insensitive) for the {@code
   * gen_ai_provider_name} label, e.g. a gateway or a local server ({@code .provider("localhost",
   * "ollama")}). Well-known hosts need none. Blank values are rejected.
   */
  public LlmMetricsHttpClientBuilder provider(String host, String providerName) {
    settings.provider(host, providerName);
    return changed();
  }

  /**
   * Records calls to a path the built-in detection does not know, as {@code format}: for a
   * gateway that renames the API paths. A request path matches when it ends with {@code path} at
   * a segment boundary, ignoring case, trailing slashes and the query.
   */
  public LlmMetricsHttpClientBuilder apiPath(String path, WireFormat format) {
    settings.apiPath(path, format);
    return changed();
  }

  /** Prices calls; default {@link PriceTable#bundled()}. {@link CostModel#NONE} turns cost off. */
  public LlmMetricsHttpClientBuilder prices(CostModel costModel) {
    settings.prices(costModel);
    return changed();
  }

  /**
   * What to do with 2xx responses that are not a usable answer; default OBSERVE. In ENFORCE
   * mode such a call fails: a whole answer with an {@link java.io.UncheckedIOException} whose
   * cause is an {@link dev.llmpulse.core.InvalidLlmResponseException}, a stream with that
   * exception at its end, handed to the model's error handler.
   */
  public LlmMetricsHttpClientBuilder validation(ValidationMode mode) {
    settings.validation(mode);
    return changed();
  }

  /**
   * Accepted for the same settings as every binding; LangChain4j's clients read whole answers
   * before handing them over, so every whole answer is judged, whatever its size.
   */
  public LlmMetricsHttpClientBuilder maxEnforcedBodyBytes(long bytes) {
    settings.maxEnforcedBodyBytes(bytes);
    return changed();
  }

  /**
   * Declares an attribution key: its values, set per call by {@link Attribution#with} (read on
   * the thread that starts the call, streaming calls included), become labels of the tokens,
   * cost and calls counters, bounded by the key's cap or allow-list. Every binding on one
   * registry declares the same keys.
   *
   * <pre>{@code
   * builder.attribution(Attribution.key("feature").allow("refunds", "order_status"))
   *     .attribution(Attribution.key("tenant").maxValues(50))
   * }</pre>
   */
  public LlmMetricsHttpClientBuilder attribution(Attribution.Key key) {
    settings.attribution(key);
    return changed();
  }

  /** How the passive health tracker judges upstreams; default {@link HealthPolicy#ofDefaults()}. */
  public LlmMetricsHttpClientBuilder health(HealthPolicy policy) {
    settings.health(policy);
    return changed();
  }

  /** Monotonic nanoseconds; tests inject a fake clock. */
  LlmMetricsHttpClientBuilder clock(LongSupplier clock) {
    settings.clock(clock);
    return changed();
  }

  /**
   * Passive health of every upstream the clients of this builder have seen: read it, or subscribe
   * to state changes to shed load or fail over.
   */
  public HealthTracker health() {
    return binding().health();
  }

  @Override
  public Duration connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public LlmMetricsHttpClientBuilder connectTimeout(Duration timeout) {
    delegate.connectTimeout(timeout);
    return this;
  }

  @Override
  public Duration readTimeout() {
    return delegate.readTimeout();
  }

  @Override
  public LlmMetricsHttpClientBuilder readTimeout(Duration timeout) {
    delegate.readTimeout(timeout);
    return this;
  }

  /**
   * The wrapped builder's client, recording. Every client built by this builder shares one
   * metric set and one health tracker.
   *
   * @throws IllegalStateException when the registry already holds a metric with one of LLM
   *     Pulse's names (the message says which, and the way out)
   */
  @Override
  public HttpClient build() {
    Binding b = binding();
    HttpClient client = delegate.build();
    return client == null ? null : new MeteredHttpClient(client, b);
  }

  private synchronized Binding binding() {
    if (binding == null) binding = settings.build(PriceTable.bundled());
    return binding;
  }

  private synchronized LlmMetricsHttpClientBuilder changed() {
    binding = null;
    return this;
  }
}

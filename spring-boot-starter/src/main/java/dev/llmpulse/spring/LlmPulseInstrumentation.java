package dev.llmpulse.spring;

import dev.llmpulse.core.Attribution;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.pricing.PriceTable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.util.unit.DataSize;
import org.springframework.core.io.Resource;

/**
 * The one LLM Pulse instrumentation of the application, built from {@code llmpulse.*} on the
 * actuator's Prometheus registry: the OkHttp interceptor (when OkHttp is on the class path), the
 * binding the RestClient and WebClient glue share, and the one health tracker all of them feed.
 */
final class LlmPulseInstrumentation {
  private final Object okHttpInterceptor; // an LlmMetricsInterceptor, when OkHttp is present
  private HealthTracker tracker; // set once, in the constructor
  private final HttpBinding http;

  LlmPulseInstrumentation(PrometheusRegistry registry, LlmPulseProperties properties,
      boolean okHttpPresent) {
    CostModel prices = prices(properties.getPrices());
    HealthPolicy policy = policy(properties.getHealth());
    List<Attribution.Key> keys = attributionKeys(properties);
    Binding.Settings settings = Binding.settings().registry(registry).prices(prices).health(policy);
    for (Attribution.Key key : keys) settings.attribution(key);
    check("llmpulse.validation", properties.getValidation(),
        () -> settings.validation(properties.getValidation()));
    DataSize max = properties.getMaxEnforcedBodySize();
    check("llmpulse.max-enforced-body-size", max,
        () -> settings.maxEnforcedBodyBytes(max == null ? 0 : max.toBytes()));
    for (Map.Entry<String, String> e : properties.getProviders().entrySet()) {
      check("llmpulse.providers[" + e.getKey() + "]", e.getValue(),
          () -> settings.provider(e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, WireFormat> e : properties.getApiPaths().entrySet()) {
      check("llmpulse.api-paths[" + e.getKey() + "]", e.getValue(),
          () -> settings.apiPath(e.getKey(), e.getValue()));
    }
    // Every value was checked above, by property name; the OkHttp interceptor takes the same.
    if (okHttpPresent) {
      okHttpInterceptor = OkHttpSupport.interceptor(registry, properties, prices, policy, keys);
      tracker = OkHttpSupport.health(okHttpInterceptor);
      settings.sharedHealth(tracker); // one tracker sees every client
    } else {
      okHttpInterceptor = null;
    }
    Binding binding = settings.build(prices);
    if (tracker == null) tracker = binding.health();
    http = new HttpBinding(binding);
  }

  /** The OkHttp interceptor; only called when OkHttp is on the class path. */
  Object okHttpInterceptor() {
    return okHttpInterceptor;
  }

  HealthTracker tracker() {
    return tracker;
  }

  HttpBinding http() {
    return http;
  }

  /** {@code llmpulse.attribution.*}: each key checked by core, a bad one named by property. */
  private static List<Attribution.Key> attributionKeys(LlmPulseProperties properties) {
    List<Attribution.Key> keys = new ArrayList<>();
    for (Map.Entry<String, LlmPulseProperties.AttributionKey> e
        : properties.getAttribution().entrySet()) {
      String property = "llmpulse.attribution." + e.getKey();
      LlmPulseProperties.AttributionKey k = e.getValue();
      Attribution.Key key = check(property, e.getKey(), () -> Attribution.key(e.getKey()));
      key = check(property + ".max-values", k.getMaxValues(),
          () -> Attribution.key(e.getKey()).maxValues(k.getMaxValues()));
      if (!k.getAllow().isEmpty()) {
        Attribution.Key capped = key;
        key = check(property + ".allow", k.getAllow(),
            () -> capped.allow(k.getAllow().toArray(new String[0])));
      }
      keys.add(key);
    }
    return keys;
  }

  private static CostModel prices(LlmPulseProperties.Prices prices) {
    if (!prices.isEnabled()) return CostModel.NONE;
    Resource location = prices.getLocation();
    if (location == null) return PriceTable.bundled();
    try (InputStream in = location.getInputStream()) {
      return prices.getFormat() == LlmPulseProperties.PriceFormat.LLMPULSE
          ? PriceTable.fromJson(in) : PriceTable.fromLiteLlm(in);
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      throw new IllegalStateException("llmpulse.prices.location=" + location.getDescription()
          + " cannot be read as a " + prices.getFormat() + " price file (llmpulse.prices.format): "
          + e.getMessage(), e);
    }
  }

  private static HealthPolicy policy(LlmPulseProperties.Health h) {
    HealthPolicy.Builder b = HealthPolicy.custom();
    check("llmpulse.health.window", h.getWindow(), () -> b.window(h.getWindow()));
    check("llmpulse.health.min-calls", h.getMinCalls(), () -> b.minCalls(h.getMinCalls()));
    check("llmpulse.health.degraded-error-ratio", h.getDegradedErrorRatio(),
        () -> b.degradedErrorRatio(h.getDegradedErrorRatio()));
    check("llmpulse.health.down-error-ratio", h.getDownErrorRatio(),
        () -> b.downErrorRatio(h.getDownErrorRatio()));
    check("llmpulse.health.down-after-consecutive-failures", h.getDownAfterConsecutiveFailures(),
        () -> b.downAfterConsecutiveFailures(h.getDownAfterConsecutiveFailures()));
    if (h.getP95Duration() != null) {
      check("llmpulse.health.p95-duration", h.getP95Duration(),
          () -> b.p95Duration(h.getP95Duration()));
    }
    if (h.getP95TimeToFirstChunk() != null) {
      check("llmpulse.health.p95-time-to-first-chunk", h.getP95TimeToFirstChunk(),
          () -> b.p95TimeToFirstChunk(h.getP95TimeToFirstChunk()));
    }
    if (h.getStallAfter() != null) {
      check("llmpulse.health.stall-after", h.getStallAfter(),
          () -> b.stallAfter(h.getStallAfter()));
    }
    b.perModel(h.isPerModel());
    return check("llmpulse.health.degraded-error-ratio", h.getDegradedErrorRatio()
        + " (above llmpulse.health.down-error-ratio=" + h.getDownErrorRatio() + ")", b::build);
  }

  /**
   * Applies one property's value; a value core rejects fails startup with a message that names
   * the property, its value and why.
   */
  static <T> T check(String property, Object value, Supplier<T> apply) {
    try {
      return apply.get();
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw new IllegalStateException("LLM Pulse: invalid " + property + "=" + value + ": "
          + e.getMessage(), e);
    }
  }
}

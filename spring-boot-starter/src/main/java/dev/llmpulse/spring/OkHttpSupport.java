package dev.llmpulse.spring;

import dev.llmpulse.core.Attribution;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import dev.llmpulse.okhttp.LlmProbe;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;

/** Everything that touches OkHttp types; loaded only when OkHttp is on the class path. */
final class OkHttpSupport {
  private OkHttpSupport() {}

  static Object interceptor(PrometheusRegistry registry, LlmPulseProperties properties,
      CostModel prices, HealthPolicy policy, List<Attribution.Key> keys) {
    LlmMetricsInterceptor.Builder b = LlmMetricsInterceptor.builder()
        .registry(registry)
        .prices(prices)
        .validation(properties.getValidation())
        .maxEnforcedBodyBytes(properties.getMaxEnforcedBodySize().toBytes())
        .health(policy);
    for (Map.Entry<String, String> e : properties.getProviders().entrySet()) {
      b.provider(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, WireFormat> e : properties.getApiPaths().entrySet()) {
      b.apiPath(e.getKey(), e.getValue());
    }
    for (Attribution.Key key : keys) b.attribution(key);
    return b.build();
  }

  static HealthTracker health(Object interceptor) {
    return ((LlmMetricsInterceptor) interceptor).health();
  }

  /**
   * The probe of {@code llmpulse.probe.*}, through its own OkHttp client that carries the
   * interceptor (so probe calls are measured and priced like any, and left out of health).
   */
  static LlmProbe probe(LlmMetricsInterceptor interceptor, PrometheusRegistry registry,
      LlmPulseProperties.Probe p) {
    if (p.getBaseUrl() == null) {
      throw new IllegalStateException("llmpulse.probe.base-url is not set (llmpulse.probe.enabled"
          + " is true): the API to probe, e.g. https://api.openai.com/v1");
    }
    if (!p.isModels() && p.getGenerationModel() == null) {
      throw new IllegalStateException("llmpulse.probe.enabled is true but there is nothing to "
          + "probe: set llmpulse.probe.models=true and/or llmpulse.probe.generation-model");
    }
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor).build();
    LlmProbe.Builder b = LlmPulseInstrumentation.check("llmpulse.probe.base-url", p.getBaseUrl(),
        () -> LlmProbe.builder(client, p.getBaseUrl()).registry(registry));
    LlmPulseInstrumentation.check("llmpulse.probe.interval", p.getInterval(),
        () -> b.interval(p.getInterval()));
    LlmPulseInstrumentation.check("llmpulse.probe.timeout", p.getTimeout(),
        () -> b.timeout(p.getTimeout()));
    LlmPulseInstrumentation.check("llmpulse.probe.max-backoff", p.getMaxBackoff(),
        () -> b.maxBackoff(p.getMaxBackoff()));
    LlmPulseInstrumentation.check("llmpulse.probe.jitter", p.getJitter(),
        () -> b.jitter(p.getJitter()));
    LlmPulseInstrumentation.check("llmpulse.probe.min-headroom", p.getMinHeadroom(),
        () -> b.minHeadroom(p.getMinHeadroom()));
    if (p.isModels()) b.models();
    if (p.getGenerationModel() != null) {
      LlmPulseInstrumentation.check("llmpulse.probe.generation-model", p.getGenerationModel(),
          () -> b.generation(p.getGenerationModel().trim()));
    }
    if (p.getProvider() != null) {
      LlmPulseInstrumentation.check("llmpulse.probe.provider", p.getProvider(),
          () -> b.provider(p.getProvider().trim()));
    }
    for (Map.Entry<String, String> h : p.getHeaders().entrySet()) {
      LlmPulseInstrumentation.check("llmpulse.probe.headers[" + h.getKey() + "]", "(not shown)",
          () -> b.header(h.getKey(), h.getValue()));
    }
    return b.build();
  }
}

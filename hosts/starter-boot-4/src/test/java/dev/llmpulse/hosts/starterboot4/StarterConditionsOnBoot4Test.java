package dev.llmpulse.hosts.starterboot4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import dev.llmpulse.spring.LlmPulseAutoConfiguration;
import java.net.InetAddress;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;

/** The starter's Boot 4 conditions: the moved health, RestClient and WebClient types. */
class StarterConditionsOnBoot4Test {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
          PrometheusMetricsExportAutoConfiguration.class, LlmPulseAutoConfiguration.class));

  @Test
  void boot4TypesAreConfiguredOnBoot4() {
    runner.run(context -> assertThat(context).hasNotFailed()
        .hasSingleBean(LlmMetricsInterceptor.class)
        .hasSingleBean(HealthTracker.class)
        .hasSingleBean(HealthIndicator.class)
        .hasBean("llmHealthIndicator")
        .hasSingleBean(RestClientCustomizer.class)
        .hasSingleBean(WebClientCustomizer.class)
        .hasSingleBean(OpenAiHttpClientBuilderCustomizer.class)
        .hasSingleBean(AnthropicHttpClientBuilderCustomizer.class));
  }

  @Test
  void withoutBoot4sHealthModuleNoIndicator() {
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean("llmHealthIndicator")
            .hasSingleBean(HealthTracker.class));
  }

  @Test
  void withoutBoot4sClientModulesNoCustomizers() {
    runner.withClassLoader(new FilteredClassLoader(RestClientCustomizer.class,
            WebClientCustomizer.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(RestClientCustomizer.class)
            .doesNotHaveBean(WebClientCustomizer.class)
            .hasSingleBean(OpenAiHttpClientBuilderCustomizer.class));
  }

  @Test
  void indicatorIsDownWhileAnUpstreamIsDown() throws Exception {
    MockWebServer upstream = new MockWebServer();
    upstream.start(InetAddress.getLoopbackAddress(), 0);
    try {
      runner.withPropertyValues("llmpulse.providers.localhost=openai").run(context -> {
        OkHttpClient client = new OkHttpClient.Builder()
            .addInterceptor(context.getBean(LlmMetricsInterceptor.class)).build();
        for (int i = 0; i < 5; i++) {
          upstream.enqueue(new MockResponse().setResponseCode(503).setBody("overloaded"));
          Request request = new Request.Builder().url(upstream.url("/v1/chat/completions"))
              .post(RequestBody.create("{\"model\":\"gpt-4o-mini\"}",
                  MediaType.get("application/json"))).build();
          try (Response response = client.newCall(request).execute()) {
            response.body().string();
          }
        }
        HealthIndicator indicator = context.getBean("llmHealthIndicator", HealthIndicator.class);
        assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(indicator.health().getDetails().get("openai localhost").toString())
            .contains("state=down", "reason=5 consecutive failures", "failures=5");
      });
    } finally {
      upstream.shutdown();
    }
  }
}

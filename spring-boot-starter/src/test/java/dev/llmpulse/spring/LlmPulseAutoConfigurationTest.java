package dev.llmpulse.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import dev.llmpulse.okhttp.LlmProbe;
import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/** Every condition of the auto-configuration, on Spring Boot 3.5 (the Boot 4 ones: hosts/). */
class LlmPulseAutoConfigurationTest {
  private MockWebServer upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = new MockWebServer();
    upstream.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stopUpstream() throws Exception {
    upstream.shutdown();
  }

  @Test
  void withActuatorEveryBeanIsThereAndRecordsOnTheActuatorsRegistry() {
    Contexts.withActuator()
        .withPropertyValues("llmpulse.providers.localhost=openai")
        .run(context -> {
          assertThat(context).hasNotFailed()
              .hasSingleBean(LlmMetricsInterceptor.class)
              .hasSingleBean(HealthTracker.class)
              .hasBean("llmHealthIndicator")
              .hasSingleBean(OpenAiHttpClientBuilderCustomizer.class)
              .hasSingleBean(AnthropicHttpClientBuilderCustomizer.class)
              .hasSingleBean(RestClientCustomizer.class)
              .hasSingleBean(WebClientCustomizer.class)
              .hasBean("llmPulseTokenUsageMeterFilter")
              .doesNotHaveBean(LlmProbe.class);
          assertThat(context.getBean(LlmMetricsInterceptor.class).health())
              .isSameAs(context.getBean(HealthTracker.class));
          // The registry LLM Pulse records on is the one /actuator/prometheus serves.
          assertThat(context.getBean(PrometheusMeterRegistry.class).getPrometheusRegistry())
              .isSameAs(context.getBean(PrometheusRegistry.class));

          callThroughOkHttp(context, "openai/test_chat_completion_with_content.json");

          ScrapedPage page = Contexts.scrape(context);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_provider_name", "openai",
              "gen_ai_request_model", "gpt-4o-mini", "gen_ai_token_type", "input")).isEqualTo(12);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output"))
              .isEqualTo(5);
          assertThat(page.sum("gen_ai_client_finish_reasons_total",
              "gen_ai_response_finish_reason", "stop")).isEqualTo(1);
          assertThat(page.sum("gen_ai_client_cost_usd_total")).isGreaterThan(0);
          HealthIndicator indicator = context.getBean("llmHealthIndicator", HealthIndicator.class);
          assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
          assertThat(indicator.health().getDetails()).containsKey("openai localhost");
        });
  }

  @Test
  void springAisTokenCounterIsDeniedSoTheScrapeKeepsOneTokenUsageFamily() {
    Contexts.withActuator().run(context -> {
      callThroughOkHttp(context, "openai/test_chat_completion_with_content.json");
      MeterRegistry meters = context.getBean(MeterRegistry.class);
      Counter springAi = Counter.builder("gen_ai.client.token.usage")
          .tag("gen_ai.token.type", "input").register(meters);
      springAi.increment(12);

      ScrapedPage page = Contexts.scrape(context); // throws on a duplicate name
      assertThat(page.samples("gen_ai_client_token_usage_total")).isEmpty();
      assertThat(page.sum("gen_ai_client_token_usage_sum", "gen_ai_token_type", "input"))
          .isEqualTo(12);
    });
  }

  @Test
  void withoutTheTokenUsageFilterSpringAisCounterBreaksTheScrape() {
    // The reason for the filter: the same name twice on one registry.
    Contexts.withActuator()
        .withBean("llmPulseTokenUsageMeterFilter", MeterFilter.class, () -> MeterFilter.accept())
        .run(context -> {
          callThroughOkHttp(context, "openai/test_chat_completion_with_content.json");
          Counter.builder("gen_ai.client.token.usage").register(context.getBean(MeterRegistry.class))
              .increment();
          org.assertj.core.api.Assertions.assertThatThrownBy(() -> Contexts.scrape(context))
              .hasMessageContaining("gen_ai_client_token_usage");
        });
  }

  @Test
  void withoutAPrometheusRegistryNothingIsConfigured() {
    Contexts.withoutActuator().run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(LlmMetricsInterceptor.class)
        .doesNotHaveBean(HealthTracker.class)
        .doesNotHaveBean(RestClientCustomizer.class)
        .doesNotHaveBean("llmHealthIndicator"));
  }

  @Test
  void disabledByPropertyNothingIsConfigured() {
    Contexts.withActuator().withPropertyValues("llmpulse.enabled=false")
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(LlmMetricsInterceptor.class)
            .doesNotHaveBean(HealthTracker.class)
            .doesNotHaveBean(WebClientCustomizer.class)
            .doesNotHaveBean("llmPulseTokenUsageMeterFilter"));
  }

  @Test
  void withoutOkHttpTheSpringClientsAreStillInstrumentedWithTheirOwnTracker() {
    Contexts.withActuator().withClassLoader(new FilteredClassLoader(OkHttpClient.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(LlmMetricsInterceptor.class)
            .doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
            .doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class)
            .hasSingleBean(HealthTracker.class)
            .hasSingleBean(RestClientCustomizer.class)
            .hasSingleBean(WebClientCustomizer.class)
            .hasBean("llmHealthIndicator"));
  }

  @Test
  void withoutSpringAiOrSwitchedOffNoSpringAiCustomizers() {
    Contexts.withActuator()
        .withClassLoader(new FilteredClassLoader(OpenAiHttpClientBuilderCustomizer.class,
            AnthropicHttpClientBuilderCustomizer.class))
        .run(context -> assertThat(context).hasNotFailed()
            .hasSingleBean(LlmMetricsInterceptor.class)
            .doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
            .doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class));
    Contexts.withActuator().withPropertyValues("llmpulse.clients.spring-ai=false")
        .run(context -> assertThat(context).hasNotFailed()
            .hasSingleBean(LlmMetricsInterceptor.class)
            .doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
            .doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class));
  }

  @Test
  void withoutRestClientOrSwitchedOffNoRestClientCustomizer() {
    Contexts.withActuator().withClassLoader(new FilteredClassLoader(RestClient.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(RestClientCustomizer.class)
            .doesNotHaveBean("llmPulseRestClientInterceptor")
            .hasSingleBean(WebClientCustomizer.class));
    Contexts.withActuator().withPropertyValues("llmpulse.clients.rest-client=false")
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(RestClientCustomizer.class)
            .hasSingleBean(WebClientCustomizer.class));
  }

  @Test
  void withoutWebFluxOrSwitchedOffNoWebClientCustomizer() {
    Contexts.withActuator().withClassLoader(new FilteredClassLoader(WebClient.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(WebClientCustomizer.class)
            .doesNotHaveBean("llmPulseExchangeFilter")
            .hasSingleBean(RestClientCustomizer.class));
    Contexts.withActuator().withPropertyValues("llmpulse.clients.web-client=false")
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean(WebClientCustomizer.class)
            .hasSingleBean(RestClientCustomizer.class));
  }

  @Test
  void healthIndicatorIsOffByPropertyOrWithoutTheActuatorHealthApi() {
    Contexts.withActuator().withPropertyValues("llmpulse.health.indicator-enabled=false")
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean("llmHealthIndicator")
            .hasSingleBean(HealthTracker.class));
    Contexts.withActuator().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasNotFailed()
            .doesNotHaveBean("llmHealthIndicator")
            .hasSingleBean(HealthTracker.class));
  }

  @Test
  void healthIndicatorIsDownWhileAnUpstreamIsDown() {
    Contexts.withActuator()
        .withPropertyValues("llmpulse.providers.localhost=openai",
            "llmpulse.health.down-after-consecutive-failures=2")
        .run(context -> {
          for (int i = 0; i < 2; i++) {
            upstream.enqueue(new MockResponse().setResponseCode(503).setBody("busy"));
            OkHttpClient client = new OkHttpClient.Builder()
                .addInterceptor(context.getBean(LlmMetricsInterceptor.class)).build();
            try (Response r = client.newCall(chatRequest("{\"model\":\"gpt-4o-mini\"}")).execute()) {
              r.body().string();
            }
          }
          HealthIndicator indicator = context.getBean("llmHealthIndicator", HealthIndicator.class);
          assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
          assertThat(indicator.health().getDetails().get("openai localhost").toString())
              .contains("state=down", "reason=2 consecutive failures");
        });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    LlmMetricsInterceptor own = LlmMetricsInterceptor.builder().registry(new PrometheusRegistry())
        .build();
    Contexts.withActuator().withUserConfiguration(OwnBeans.class)
        .withBean(LlmMetricsInterceptor.class, () -> own)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(LlmMetricsInterceptor.class)).isSameAs(own);
          assertThat(context.getBean("llmHealthIndicator")).isSameAs(OwnBeans.INDICATOR);
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final HealthIndicator INDICATOR = () -> org.springframework.boot.actuate.health.Health
        .unknown().build();

    @Bean
    HealthIndicator llmHealthIndicator() {
      return INDICATOR;
    }
  }

  @Test
  void probeIsOffByDefaultAndRunsFromProperties() {
    upstream.enqueue(new MockResponse().setBody("{\"object\":\"list\",\"data\":[]}")
        .setHeader("Content-Type", "application/json"));
    Contexts.withActuator()
        .withPropertyValues("llmpulse.probe.enabled=true",
            "llmpulse.probe.base-url=http://127.0.0.1:" + upstream.getPort() + "/v1",
            "llmpulse.probe.models=true", "llmpulse.probe.provider=openai",
            "llmpulse.probe.interval=1h", "llmpulse.probe.headers.Authorization=Bearer sk-test")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(LlmProbe.class);
          assertThat(context.getBean(LlmProbe.class).probeOnce()).isEqualTo(LlmProbe.Result.SUCCESS);
          assertThat(upstream.takeRequest().getHeader("Authorization")).isEqualTo("Bearer sk-test");
          assertThat(Contexts.scrape(context).sum("gen_ai_client_probe_success",
              "gen_ai_provider_name", "openai")).isEqualTo(1);
        });
  }

  @Test
  void providersAndApiPathsFromProperties() {
    Contexts.withActuator()
        .withPropertyValues("llmpulse.providers.api.holysheep.ai=holysheep",
            "llmpulse.providers.localhost=gateway",
            "llmpulse.api-paths[/llm/generate]=openai_chat")
        .run(context -> {
          assertThat(context).hasNotFailed();
          Fixture fixture = Fixture.load("openai/test_chat_completion_with_content.json");
          upstream.enqueue(fixture.response());
          OkHttpClient client = new OkHttpClient.Builder()
              .addInterceptor(context.getBean(LlmMetricsInterceptor.class)).build();
          Request request = new Request.Builder().url(upstream.url("/team-a/llm/generate"))
              .post(RequestBody.create(fixture.requestBody, MediaType.get("application/json")))
              .build();
          try (Response r = client.newCall(request).execute()) {
            r.body().string();
          }
          assertThat(Contexts.scrape(context).sum("gen_ai_client_tokens_total",
              "gen_ai_provider_name", "gateway", "gen_ai_token_type", "input")).isEqualTo(12);
          assertThat(context.getBean(LlmPulseProperties.class).getProviders())
              .containsEntry("api.holysheep.ai", "holysheep");
        });
  }

  private void callThroughOkHttp(ApplicationContext context, String fixturePath)
      throws Exception {
    Fixture fixture = Fixture.load(fixturePath);
    upstream.enqueue(fixture.response());
    OkHttpClient client = new OkHttpClient.Builder()
        .addInterceptor(context.getBean(LlmMetricsInterceptor.class)).build();
    try (Response response = client.newCall(chatRequest(fixture.requestBody)).execute()) {
      response.body().string();
    }
  }

  private Request chatRequest(String body) {
    return new Request.Builder().url(upstream.url("/v1/chat/completions"))
        .post(RequestBody.create(body, MediaType.get("application/json"))).build();
  }
}

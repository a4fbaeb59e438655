package dev.llmpulse.spring;

import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import dev.llmpulse.okhttp.LlmProbe;
import io.micrometer.core.instrument.config.MeterFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.client.RestClient;
import org.springframework.http.client.ClientHttpRequestInterceptor;

/**
 * LLM Pulse for a Spring Boot 3.5 or 4.0 application with actuator and
 * {@code micrometer-registry-prometheus}: one instrumentation on the actuator's Prometheus
 * registry (so {@code /actuator/prometheus} shows the {@code gen_ai_*} metrics beside
 * Micrometer's), put on Spring AI 2's OpenAI and Anthropic clients, on every {@code RestClient}
 * and {@code WebClient} built from Boot's builders (Spring AI 1.x), with the {@code llm} health
 * component and, when configured, a probe. Add the dependency; no code:
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.llmpulse</groupId>
 *   <artifactId>llmpulse-spring-boot-starter</artifactId>
 * </dependency>
 * }</pre>
 *
 * <p>Beans, each replaceable by your own of the same name or type: {@code LlmMetricsInterceptor}
 * (for the OkHttp clients you build yourself), {@code HealthTracker}, {@code llmHealthIndicator}
 * (component {@code llm}), Spring AI's {@code OpenAiHttpClientBuilderCustomizer} and {@code
 * AnthropicHttpClientBuilderCustomizer}, a {@code RestClientCustomizer}, a {@code
 * WebClientCustomizer}, {@code llmPulseTokenUsageMeterFilter} and, with {@code
 * llmpulse.probe.enabled=true}, an {@code LlmProbe}.
 *
 * <p>The meter filter denies Micrometer meters named {@code gen_ai.client.token.usage} (Spring
 * AI's and LangChain4j's token counters): Prometheus would name them {@code
 * gen_ai_client_token_usage}, LLM Pulse's histogram, and the scrape would fail with a duplicate
 * name. The same numbers are LLM Pulse's {@code gen_ai_client_tokens_total} and {@code
 * gen_ai_client_token_usage_sum}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration"})
@ConditionalOnBean(PrometheusRegistry.class)
@ConditionalOnProperty(prefix = "llmpulse", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(LlmPulseProperties.class)
public final class LlmPulseAutoConfiguration {
  static final String SPRING_AI_TOKEN_USAGE = "gen_ai.client.token.usage";

  @Bean
  LlmPulseInstrumentation llmPulseInstrumentation(PrometheusRegistry registry,
      LlmPulseProperties properties, ApplicationContext context) {
    boolean okHttp = ClassUtils.isPresent("okhttp3.OkHttpClient", context.getClassLoader());
    return new LlmPulseInstrumentation(registry, properties, okHttp);
  }

  /** Passive health of every upstream the application's LLM calls reach, whichever client. */
  @Bean
  @ConditionalOnMissingBean
  HealthTracker llmPulseHealthTracker(LlmPulseInstrumentation instrumentation) {
    return instrumentation.tracker();
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.config.MeterFilter")
  static class TokenUsageMeterFilterConfiguration {
    /** Keeps {@code gen_ai_client_token_usage} LLM Pulse's alone, so the scrape stays 200. */
    @Bean
    @ConditionalOnMissingBean(name = "llmPulseTokenUsageMeterFilter")
    static MeterFilter llmPulseTokenUsageMeterFilter() {
      return MeterFilter.deny(id -> SPRING_AI_TOKEN_USAGE.equals(id.getName()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "okhttp3.OkHttpClient")
  static class OkHttpConfiguration {
    /** The OkHttp interceptor, for Spring AI 2's clients and the OkHttp clients you build. */
    @Bean
    @ConditionalOnMissingBean
    LlmMetricsInterceptor llmMetricsInterceptor(LlmPulseInstrumentation instrumentation) {
      return (LlmMetricsInterceptor) instrumentation.okHttpInterceptor();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "llmpulse.probe", name = "enabled", havingValue = "true")
    LlmProbe llmPulseProbe(LlmMetricsInterceptor interceptor, PrometheusRegistry registry,
        LlmPulseProperties properties) {
      return OkHttpSupport.probe(interceptor, registry, properties.getProbe());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"okhttp3.OkHttpClient",
      "org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer"})
  @ConditionalOnProperty(prefix = "llmpulse.clients", name = "spring-ai", matchIfMissing = true)
  static class SpringAiOpenAiConfiguration {
    /** Puts the interceptor on the OkHttp client of Spring AI 2's OpenAI models. */
    @Bean
    @ConditionalOnMissingBean(name = "llmPulseOpenAiHttpClientBuilderCustomizer")
    OpenAiHttpClientBuilderCustomizer llmPulseOpenAiHttpClientBuilderCustomizer(
        LlmMetricsInterceptor interceptor) {
      return builder -> builder.interceptor(interceptor);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"okhttp3.OkHttpClient",
      "org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer"})
  @ConditionalOnProperty(prefix = "llmpulse.clients", name = "spring-ai", matchIfMissing = true)
  static class SpringAiAnthropicConfiguration {
    /** Puts the interceptor on the OkHttp client of Spring AI 2's Anthropic models. */
    @Bean
    @ConditionalOnMissingBean(name = "llmPulseAnthropicHttpClientBuilderCustomizer")
    AnthropicHttpClientBuilderCustomizer llmPulseAnthropicHttpClientBuilderCustomizer(
        LlmMetricsInterceptor interceptor) {
      return builder -> builder.interceptor(interceptor);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.client.RestClient")
  @ConditionalOnProperty(prefix = "llmpulse.clients", name = "rest-client", matchIfMissing = true)
  static class RestClientConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "llmPulseRestClientInterceptor")
    ClientHttpRequestInterceptor llmPulseRestClientInterceptor(
        LlmPulseInstrumentation instrumentation) {
      return new LlmPulseRestClientInterceptor(instrumentation.http());
    }

    /** Adds the interceptor to a builder once, however often the customizer runs on it. */
    static void customize(RestClient.Builder builder, ClientHttpRequestInterceptor interceptor) {
      builder.requestInterceptors(list -> {
        if (!list.contains(interceptor)) list.add(interceptor);
      });
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.web.client.RestClientCustomizer")
    static class Boot3 {
      @Bean
      @ConditionalOnMissingBean(name = "llmPulseRestClientCustomizer")
      org.springframework.boot.web.client.RestClientCustomizer llmPulseRestClientCustomizer(
          @Qualifier("llmPulseRestClientInterceptor") ClientHttpRequestInterceptor interceptor) {
        return builder -> customize(builder, interceptor);
      }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.restclient.RestClientCustomizer")
    static class Boot4 {
      @Bean
      @ConditionalOnMissingBean(name = "llmPulseRestClientCustomizer")
      org.springframework.boot.restclient.RestClientCustomizer llmPulseRestClientCustomizer(
          @Qualifier("llmPulseRestClientInterceptor") ClientHttpRequestInterceptor interceptor) {
        return builder -> customize(builder, interceptor);
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.reactive.function.client.WebClient")
  @ConditionalOnProperty(prefix = "llmpulse.clients", name = "web-client", matchIfMissing = true)
  static class WebClientConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "llmPulseExchangeFilter")
    ExchangeFilterFunction llmPulseExchangeFilter(LlmPulseInstrumentation instrumentation) {
      return new LlmPulseExchangeFilter(instrumentation.http());
    }

    /** Adds the filter to a builder once, however often the customizer runs on it. */
    static void customize(WebClient.Builder builder, ExchangeFilterFunction filter) {
      builder.filters(list -> {
        if (!list.contains(filter)) list.add(filter);
      });
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name =
        "org.springframework.boot.web.reactive.function.client.WebClientCustomizer")
    static class Boot3 {
      @Bean
      @ConditionalOnMissingBean(name = "llmPulseWebClientCustomizer")
      org.springframework.boot.web.reactive.function.client.WebClientCustomizer
          llmPulseWebClientCustomizer(
              @Qualifier("llmPulseExchangeFilter") ExchangeFilterFunction filter) {
        return builder -> customize(builder, filter);
      }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.webclient.WebClientCustomizer")
    static class Boot4 {
      @Bean
      @ConditionalOnMissingBean(name = "llmPulseWebClientCustomizer")
      org.springframework.boot.webclient.WebClientCustomizer llmPulseWebClientCustomizer(
          @Qualifier("llmPulseExchangeFilter") ExchangeFilterFunction filter) {
        return builder -> customize(builder, filter);
      }
    }
  }

  /**
   * The {@code llm} health component, on by default ({@code llmpulse.health.indicator-enabled}):
   * Boot's liveness and readiness groups leave it out unless you add it, so an LLM outage shows
   * on /actuator/health without restarting or unrouting the application.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "llmpulse.health", name = "indicator-enabled",
      matchIfMissing = true)
  static class HealthConfiguration {
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    static class Boot3 {
      @Bean
      @ConditionalOnMissingBean(name = "llmHealthIndicator")
      org.springframework.boot.actuate.health.HealthIndicator llmHealthIndicator(
          HealthTracker tracker) {
        return new Boot3LlmHealthIndicator(new LlmHealth(tracker));
      }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Boot4 {
      @Bean
      @ConditionalOnMissingBean(name = "llmHealthIndicator")
      org.springframework.boot.health.contributor.HealthIndicator llmHealthIndicator(
          HealthTracker tracker) {
        return new Boot4LlmHealthIndicator(new LlmHealth(tracker));
      }
    }
  }
}

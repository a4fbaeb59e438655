package dev.llmpulse.hosts.boot4;

import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import okhttp3.OkHttpClient;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot 4.0 application that uses LLM Pulse exactly as the README tells a Boot user to:
 * actuator and Micrometer's Prometheus registry from Boot, and an OkHttp client whose LLM calls
 * are recorded on that registry, so they appear on {@code /actuator/prometheus}.
 */
@SpringBootApplication
public class HostApplication {

  /** The application's LLM client. */
  @Bean
  OkHttpClient llmClient(PrometheusMeterRegistry prometheusMeterRegistry) {
    LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
        .registry(prometheusMeterRegistry.getPrometheusRegistry())
        .build();
    return new OkHttpClient.Builder().addInterceptor(interceptor).build();
  }

  /**
   * Spring AI (and LangChain4j's Micrometer module) count tokens in a Micrometer counter named
   * {@code gen_ai.client.token.usage}, which Prometheus names like LLM Pulse's token histogram:
   * two metrics of one name make every scrape fail. LLM Pulse's {@code gen_ai_client_tokens_total}
   * carries the same counts, so the counter is dropped.
   */
  @Bean
  MeterFilter dropSpringAiTokenCounter() {
    return MeterFilter.deny(id -> id.getName().equals("gen_ai.client.token.usage"));
  }

  public static void main(String[] args) {
    SpringApplication.run(HostApplication.class, args);
  }
}

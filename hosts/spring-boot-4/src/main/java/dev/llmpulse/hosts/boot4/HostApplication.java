package dev.llmpulse.hosts.boot4;

import dev.llmpulse.okhttp.LlmMetricsInterceptor;
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

  public static void main(String[] args) {
    SpringApplication.run(HostApplication.class, args);
  }
}

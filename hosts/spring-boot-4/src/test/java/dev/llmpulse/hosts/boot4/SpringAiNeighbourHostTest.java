package dev.llmpulse.hosts.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A Boot app that also uses Spring AI (or LangChain4j's Micrometer module): those record token
 * usage as a Micrometer counter named {@code gen_ai.client.token.usage} on the same registry
 * (Spring AI's AiObservationMetricNames.TOKEN_USAGE), which Prometheus names
 * {@code gen_ai_client_token_usage_total} — the same metric name as LLM Pulse's
 * {@code gen_ai_client_token_usage} histogram: every scrape then failed with 500 (duplicate
 * metric name). With the README's MeterFilter (HostApplication) the scrape serves every metric,
 * and the tokens are LLM Pulse's.
 */
@AutoConfigureMetrics
@SpringBootTest(classes = HostApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = "spring.application.name=spring-ai-neighbour") // its own context, not shared
@DirtiesContext
class SpringAiNeighbourHostTest {
  @Autowired OkHttpClient llmClient;
  @Autowired MeterRegistry meters;

  @Value("${local.server.port}")
  int port;

  @Test
  void withSpringAisTokenCounterDroppedTheScrapeServesEverything() throws Exception {
    MockWebServer upstream = new MockWebServer();
    upstream.start(InetAddress.getLoopbackAddress(), 0);
    try {
      Fixture recorded = Fixture.load("openai/test_chat_completion_with_content.json");
      upstream.enqueue(recorded.response());
      OkHttpClient client = llmClient.newBuilder().dns(Fixture.LOOPBACK).build();
      try (Response response = client.newCall(recorded.request(upstream)).execute()) {
        response.body().bytes();
      }
    } finally {
      upstream.shutdown();
    }
    // What Spring AI 1.x records after that chat call (its tags, its name, prompt_tokens 12).
    Counter.builder("gen_ai.client.token.usage")
        .tag("gen_ai.operation.name", "chat").tag("gen_ai.system", "openai")
        .tag("gen_ai.request.model", "gpt-4o-mini")
        .tag("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
        .tag("gen_ai.token.type", "input")
        .register(meters).increment(12);

    HttpResponse<String> scrape = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
            .GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    ScrapedPage page = ScrapedPage.of(scrape.body());
    assertThat(page.samples("gen_ai_client_token_usage_total")).as("Spring AI's counter")
        .isEmpty();
    assertThat(page.sum("gen_ai_client_token_usage_count", "gen_ai_token_type", "input"))
        .as("LLM Pulse's histogram").isEqualTo(1);
    assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_request_model", "gpt-4o-mini",
        "gen_ai_token_type", "input")).isEqualTo(12);
    assertThat(page.sum("gen_ai_client_instrumentation_errors_total")).isZero();
    assertThat(page.samples("jvm_memory_used_bytes")).isNotEmpty();
  }
}

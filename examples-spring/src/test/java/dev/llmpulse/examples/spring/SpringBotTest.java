package dev.llmpulse.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The demo bot as its README runs it: ask, stream, then read the scrape and the health. */
@AutoConfigureMetrics
@SpringBootTest(classes = SpringBot.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = "bot.traffic.enabled=false")
class SpringBotTest {
  static final FakeOpenAi UPSTREAM = started();

  @LocalServerPort int port;

  private static FakeOpenAi started() {
    try {
      return new FakeOpenAi();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void demo(DynamicPropertyRegistry registry) {
    for (Map.Entry<String, Object> p : SpringBot.demoProperties(UPSTREAM).entrySet()) {
      registry.add(p.getKey(), p::getValue);
    }
  }

  @AfterAll
  static void stop() {
    UPSTREAM.close();
  }

  private String get(String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return response.body();
  }

  @Test
  void everyAnswerShowsOnTheScrapeAndTheHealth() throws Exception {
    assertThat(get("/chat?q=Where+is+my+order")).isNotEmpty();
    assertThat(get("/chat/stream?q=Can+I+get+a+refund")).isNotEmpty();

    String page = get("/actuator/prometheus");
    assertThat(page)
        .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"\","
            + "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\","
            + "gen_ai_request_model=\"gpt-4o-mini\",gen_ai_response_model=\"gpt-4o-mini-2024-07-18\","
            + "server_address=\"127.0.0.1\"} 2")
        .contains("gen_ai_client_operation_time_to_first_chunk_seconds_count{")
        .contains("gen_ai_response_finish_reason=\"stop\"")
        .contains("gen_ai_client_rate_limit_remaining{")
        .contains("jvm_memory_used_bytes")
        .doesNotContain("gen_ai_client_token_usage_total");
    assertThat(page).containsPattern("gen_ai_client_cost_usd_total\\{[^}]*"
        + "gen_ai_token_type=\"output\"[^}]*\\} [1-9]");
    assertThat(get("/actuator/health/llm")).contains("\"status\":\"UP\"",
        "\"openai 127.0.0.1\"", "\"state\":\"healthy\"");
  }
}

package dev.llmpulse.hosts.starterboot4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Spring Boot 4.0.7 with Spring AI 2.0.1 (OpenAI and Anthropic on their official SDKs) and the
 * starter: ChatClient calls replay recorded answers on loopback, then /actuator/prometheus and
 * /actuator/health are read over HTTP as Prometheus and a load balancer would.
 */
@AutoConfigureMetrics // Boot leaves metrics export out of tests unless asked
@SpringBootTest(classes = ChatApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {
        "spring.ai.openai.api-key=sk-test",
        "spring.ai.openai.chat.options.model=gpt-4o-mini",
        "spring.ai.anthropic.api-key=sk-ant-test",
        "spring.ai.anthropic.chat.options.model=claude-3-haiku-20240307",
        "spring.ai.chat.client.enabled=false",
        "management.endpoints.web.exposure.include=prometheus,health",
        "management.endpoint.health.show-details=always",
        "llmpulse.providers[127.0.0.1]=openai",
        "llmpulse.providers.localhost=anthropic"})
class StarterOnBoot4Test {
  static final MockWebServer OPENAI = started();
  static final MockWebServer ANTHROPIC = started();

  @Autowired @Qualifier("openAiChatClient") ChatClient openAi;
  @Autowired @Qualifier("anthropicChatClient") ChatClient anthropic;
  @Autowired MeterRegistry meters;
  @LocalServerPort int port;

  private static MockWebServer started() {
    MockWebServer server = new MockWebServer();
    try {
      server.start(InetAddress.getLoopbackAddress(), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return server;
  }

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry registry) {
    registry.add("spring.ai.openai.base-url", () -> "http://127.0.0.1:" + OPENAI.getPort() + "/v1");
    registry.add("spring.ai.anthropic.base-url", () -> "http://localhost:" + ANTHROPIC.getPort());
  }

  @AfterAll
  static void stop() throws IOException {
    OPENAI.shutdown();
    ANTHROPIC.shutdown();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private ScrapedPage scrape() throws Exception {
    HttpResponse<String> response = get("/actuator/prometheus");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return ScrapedPage.of(response.body());
  }

  private static final String[] OPENAI_CALL = {"gen_ai_provider_name", "openai",
      "server_address", "127.0.0.1", "gen_ai_request_model", "gpt-4o-mini"};

  private static String[] openAi(String... more) {
    String[] all = new String[OPENAI_CALL.length + more.length];
    System.arraycopy(OPENAI_CALL, 0, all, 0, OPENAI_CALL.length);
    System.arraycopy(more, 0, all, OPENAI_CALL.length, more.length);
    return all;
  }

  @Test
  void openAiChatCallIsRecordedOnceWithExactTokensCostAndFinishReason() throws Exception {
    Fixture fixture = Fixture.load("openai/test_chat_completion_with_content.json");
    ScrapedPage before = scrape();
    OPENAI.enqueue(fixture.response());

    String answer = openAi.prompt("Say this is a test").call().content();

    assertThat(answer).isEqualTo("This is a test.");
    RecordedRequest sent = OPENAI.takeRequest();
    assertThat(sent.getPath()).isEqualTo("/v1/chat/completions");
    ScrapedPage after = scrape();
    assertThat(delta(before, after, "gen_ai_client_operation_duration_seconds_count",
        openAi("error_type", "", "gen_ai_response_model", "gpt-4o-mini-2024-07-18"))).isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_tokens_total",
        openAi("gen_ai_token_type", "input"))).isEqualTo(12);
    assertThat(delta(before, after, "gen_ai_client_tokens_total",
        openAi("gen_ai_token_type", "output"))).isEqualTo(5);
    assertThat(delta(before, after, "gen_ai_client_cost_usd_total", openAi()))
        .isCloseTo(12 * 0.15e-6 + 5 * 0.6e-6, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(delta(before, after, "gen_ai_client_finish_reasons_total",
        openAi("gen_ai_response_finish_reason", "stop"))).isEqualTo(1);
    assertThat(after.sum("gen_ai_client_requests_in_flight")).isZero();
    assertThat(after.sum("gen_ai_client_instrumentation_errors_total")).isZero();
  }

  @Test
  void openAiStreamIsRecordedWithTimeToFirstChunk() throws Exception {
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    ScrapedPage before = scrape();
    OPENAI.enqueue(fixture.response());

    List<String> pieces = openAi.prompt("Which ocean contains Bouvet Island?").stream().content()
        .collectList().block();

    assertThat(String.join("", pieces)).isEqualTo("Southern Ocean.");
    ScrapedPage after = scrape();
    assertThat(delta(before, after, "gen_ai_client_operation_duration_seconds_count",
        openAi("error_type", ""))).isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_tokens_total",
        openAi("gen_ai_token_type", "input"))).isEqualTo(22);
    assertThat(delta(before, after, "gen_ai_client_tokens_total",
        openAi("gen_ai_token_type", "output"))).isEqualTo(3);
    assertThat(delta(before, after, "gen_ai_client_operation_time_to_first_chunk_seconds_count",
        openAi())).isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_finish_reasons_total",
        openAi("gen_ai_response_finish_reason", "stop"))).isEqualTo(1);
    assertThat(after.sum("gen_ai_client_requests_in_flight")).isZero();
  }

  @Test
  void anthropicStreamIsRecordedWithItsStopReason() throws Exception {
    Fixture fixture = Fixture.load("anthropic/test_anthropic_message_streaming_legacy.json");
    ScrapedPage before = scrape();
    ANTHROPIC.enqueue(fixture.response());

    String joke = String.join("", anthropic.prompt("Tell me a joke about OpenTelemetry").stream()
        .content().collectList().block());

    assertThat(joke).isNotEmpty();
    String[] call = {"gen_ai_provider_name", "anthropic",
        "gen_ai_request_model", "claude-3-haiku-20240307"};
    ScrapedPage after = scrape();
    assertThat(delta(before, after, "gen_ai_client_operation_duration_seconds_count", call))
        .isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_finish_reasons_total",
        concat(call, "gen_ai_response_finish_reason", "end_turn"))).isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_tokens_total",
        concat(call, "gen_ai_token_type", "output"))).isEqualTo(171);
    assertThat(delta(before, after, "gen_ai_client_operation_time_to_first_chunk_seconds_count",
        call)).isEqualTo(1);
  }

  @Test
  void theScrapeStaysWholeBesideSpringAisObservations() throws Exception {
    OPENAI.enqueue(Fixture.load("openai/test_chat_completion_with_content.json").response());
    openAi.prompt("Say this is a test").call().content();

    // Spring AI observed the call (its own timer is there), and its token counter, whose
    // Prometheus name is LLM Pulse's histogram, was denied by the starter's meter filter.
    assertThat(meters.find("gen_ai.client.operation").meters()).isNotEmpty();
    assertThat(meters.find("gen_ai.client.token.usage").meters()).isEmpty();
    ScrapedPage page = scrape();
    assertThat(page.samples("gen_ai_client_token_usage_total")).isEmpty();
    assertThat(page.sum("gen_ai_client_token_usage_count", "gen_ai_token_type", "input"))
        .isGreaterThan(0);
    assertThat(page.samples("jvm_memory_used_bytes")).isNotEmpty();
  }

  @Test
  void healthHasTheLlmComponentWithEachUpstream() throws Exception {
    OPENAI.enqueue(Fixture.load("openai/test_chat_completion_with_content.json").response());
    openAi.prompt("Say this is a test").call().content();

    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"llm\":{", "\"openai 127.0.0.1\":{",
        "\"state\":\"healthy\"", "\"serverAddress\":\"127.0.0.1\"");
    HttpResponse<String> component = get("/actuator/health/llm");
    assertThat(component.statusCode()).isEqualTo(200);
    assertThat(component.body()).contains("\"status\":\"UP\"").doesNotContain("DOWN")
        .contains("\"openai 127.0.0.1\":{\"state\":\"healthy\"");
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static double delta(ScrapedPage before, ScrapedPage after, String name,
      String... labels) {
    after.sum(name, labels); // fails when the series is missing
    return after.sumOrZero(name, labels) - before.sumOrZero(name, labels);
  }
}

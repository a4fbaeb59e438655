package dev.llmpulse.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.data.message.UserMessage;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.ValidationMode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's {@code OpenAiChatModel} (the real jar) with the README's recipe, answered by the
 * recorded OpenAI fixtures on loopback: every try of the model is one call, recorded exactly.
 */
class OpenAiChatModelTest {
  private static final String WITH_CONTENT = "openai/test_chat_completion_with_content.json";
  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private LlmMetricsHttpClientBuilder metered() {
    return LlmMetricsHttpClientBuilder.wrap(JdkHttpClient.builder())
        .registry(registry)
        .provider(server.getHostName(), "openai");
  }

  private OpenAiChatModel model(LlmMetricsHttpClientBuilder httpClientBuilder, int maxRetries) {
    return OpenAiChatModel.builder()
        .baseUrl(server.url("/v1").toString())
        .apiKey("test-key")
        .modelName("gpt-4o-mini")
        .httpClientBuilder(httpClientBuilder)
        .maxRetries(maxRetries)
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  private String[] call(String responseModel, String errorType) {
    return new String[] {"gen_ai_operation_name", "chat", "gen_ai_provider_name", "openai",
        "gen_ai_request_model", "gpt-4o-mini", "gen_ai_response_model", responseModel,
        "server_address", server.getHostName(), "error_type", errorType};
  }

  @Test
  void wholeAnswerIsRecordedWithExactTokensModelsFinishReasonAndRateLimits() throws Exception {
    server.enqueue(Fixture.answer(WITH_CONTENT, 0).mock());

    ChatResponse response = model(metered(), 0).chat(ChatRequest.builder()
        .messages(UserMessage.from("Say this is a test")).build());

    assertThat(response.aiMessage().text()).isEqualTo("This is a test.");
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds",
        call("gpt-4o-mini-2024-07-18", ""))).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input",
        "gen_ai_response_model", "gpt-4o-mini-2024-07-18")).isEqualTo(12);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(5);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "cache_read")).isZero();
    assertThat(scrape.counter("gen_ai_client_finish_reasons",
        "gen_ai_response_finish_reason", "stop")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .as("a whole answer has no chunks").isZero();
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", "limit_type", "requests",
        "gen_ai_request_model", "gpt-4o-mini")).isEqualTo(9999);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_limit", "limit_type", "tokens")).isEqualTo(200000);
    assertThat(scrape.gauge("gen_ai_client_requests_in_flight")).isZero();
    assertThat(scrape.counter("gen_ai_client_cost_usd")).as("gpt-4o-mini is in the bundled prices")
        .isGreaterThan(0);
  }

  @Test
  void notFoundIsOneCallWithItsStatus() {
    server.enqueue(Fixture.answer("openai/test_chat_completion_404.json", 0).mock());

    assertThatThrownBy(() -> model(metered(), 2).chat("Say this is a test"))
        .isInstanceOf(ModelNotFoundException.class);

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", call("", "404")))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens")).isZero();
  }

  @Test
  void rateLimitedTriesAreOneCallEachAndTheirHeadersAreNotSeen() {
    Fixture.Answer tooMany = Fixture.answer(
        "openai/chat_real_error_scenarios_openai_gpt-5-nano_handles_context_length_exceeded_errors.json", 0);
    server.enqueue(tooMany.mock());
    server.enqueue(tooMany.mock());

    assertThatThrownBy(() -> model(metered(), 1).chat("Say this is a test"))
        .isInstanceOf(RateLimitException.class);

    assertThat(server.getRequestCount()).isEqualTo(2);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", call("", "429")))
        .as("one call per try of LangChain4j's retry").isEqualTo(2);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", "limit_type", "tokens"))
        .as("LangChain4j hands a 429 over without its headers: nothing is invented").isNaN();
  }

  @Test
  void serverErrorThenSuccessAreTwoCalls() throws Exception {
    server.enqueue(new MockResponse().setResponseCode(500).setBody("{\"error\":{\"message\":\"boom\"}}"));
    server.enqueue(Fixture.answer(WITH_CONTENT, 0).mock());

    assertThat(model(metered(), 1).chat("Say this is a test")).isEqualTo("This is a test.");

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", call("", "500")))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds",
        call("gpt-4o-mini-2024-07-18", ""))).isEqualTo(1);
  }

  @Test
  void timeoutIsNamedTimeout() {
    server.enqueue(Fixture.answer(WITH_CONTENT, 0).mock().setHeadersDelay(3, TimeUnit.SECONDS));
    OpenAiChatModel model = OpenAiChatModel.builder()
        .baseUrl(server.url("/v1").toString()).apiKey("test-key").modelName("gpt-4o-mini")
        .httpClientBuilder(metered()).maxRetries(0).timeout(Duration.ofMillis(300))
        .build();

    assertThatThrownBy(() -> model.chat("Say this is a test")).isInstanceOf(RuntimeException.class);

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", call("", "timeout")))
        .isEqualTo(1);
    assertThat(scrape.gauge("gen_ai_client_requests_in_flight")).isZero();
  }

  @Test
  void connectionRefusedIsConnectError() throws IOException {
    String baseUrl = server.url("/v1").toString();
    server.shutdown();
    OpenAiChatModel model = OpenAiChatModel.builder()
        .baseUrl(baseUrl).apiKey("test-key").modelName("gpt-4o-mini")
        .httpClientBuilder(metered()).maxRetries(0).build();

    assertThatThrownBy(() -> model.chat("Say this is a test")).isInstanceOf(RuntimeException.class);

    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds",
        "error_type", "connect_error")).isEqualTo(1);
  }

  @Test
  void enforceFailsATruncatedAnswerAndRecordsIt() {
    Fixture.Answer recorded = Fixture.answer(WITH_CONTENT, 0);
    server.enqueue(recorded.cutAfter(recorded.indexOf("\"usage\"")));

    assertThatThrownBy(() -> model(metered().validation(ValidationMode.ENFORCE), 0).chat("Say this"))
        .hasRootCauseInstanceOf(InvalidLlmResponseException.class)
        .satisfies(e -> assertThat(((InvalidLlmResponseException) rootCause(e)).reason())
            .isEqualTo(InvalidResponseReason.TRUNCATED_JSON));

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.counter("gen_ai_client_invalid_responses", "reason", "truncated_json"))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds",
        "error_type", "invalid_response")).isEqualTo(1);
  }

  @Test
  void observeLetsATruncatedAnswerThroughAndCountsIt() {
    Fixture.Answer recorded = Fixture.answer(WITH_CONTENT, 0);
    server.enqueue(recorded.cutAfter(recorded.indexOf("\"usage\"")));

    assertThatThrownBy(() -> model(metered(), 0).chat("Say this is a test"))
        .as("the application gets LangChain4j's own parse error, as without LLM Pulse")
        .hasRootCauseInstanceOf(com.fasterxml.jackson.core.JsonParseException.class);

    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "truncated_json"))
        .isEqualTo(1);
  }

  @Test
  void callsThatAreNotLlmCallsAreNotRecorded() {
    server.enqueue(new MockResponse().setBody("{\"object\":\"list\",\"data\":[]}"));
    HttpClient client = metered().build();

    client.execute(HttpRequest.builder().method(HttpMethod.GET).url(server.url("/v1/models").toString())
        .build());

    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds")).isZero();
  }

  @Test
  void theBuilderWrappedTwiceOnOneRegistryRecordsOnce() throws Exception {
    server.enqueue(Fixture.answer(WITH_CONTENT, 0).mock());
    LlmMetricsHttpClientBuilder twice = LlmMetricsHttpClientBuilder.wrap(metered()).registry(registry);

    model(twice, 0).chat("Say this is a test");

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(12);
  }

  @Test
  void healthSeesEveryTryOfTheModel() {
    server.enqueue(new MockResponse().setResponseCode(500).setBody("{}"));
    server.enqueue(Fixture.answer(WITH_CONTENT, 0).mock());
    LlmMetricsHttpClientBuilder builder = metered();

    model(builder, 1).chat("Say this is a test");

    assertThat(builder.health().upstreams()).singleElement().satisfies(upstream -> {
      assertThat(upstream.providerName()).isEqualTo("openai");
      assertThat(upstream.serverAddress()).isEqualTo(server.getHostName());
      assertThat(upstream.calls()).isEqualTo(2);
      assertThat(upstream.failures()).isEqualTo(1);
    });
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t;
  }
}

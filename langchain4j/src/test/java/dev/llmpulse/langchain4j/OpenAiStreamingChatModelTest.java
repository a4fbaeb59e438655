package dev.llmpulse.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.ValidationMode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's {@code OpenAiStreamingChatModel} (the real jar) answered by recorded OpenAI
 * streams on loopback: the stream is teed as raw bytes before LangChain4j's SSE parser and the
 * call is recorded once, when the stream ends, before the application hears of its end.
 */
class OpenAiStreamingChatModelTest {
  private static final String STREAM = "openai/test_chat_completion_streaming.json";
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

  private OpenAiStreamingChatModel model(LlmMetricsHttpClientBuilder httpClientBuilder, String modelName) {
    return OpenAiStreamingChatModel.builder()
        .baseUrl(server.url("/v1").toString())
        .apiKey("test-key")
        .modelName(modelName)
        .httpClientBuilder(httpClientBuilder)
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  private String[] call(String requestModel, String responseModel, String errorType) {
    return new String[] {"gen_ai_operation_name", "chat", "gen_ai_provider_name", "openai",
        "gen_ai_request_model", requestModel, "gen_ai_response_model", responseModel,
        "server_address", server.getHostName(), "error_type", errorType};
  }

  @Test
  void aStreamCarriesTheAttributionScopeOfTheThreadThatStartedIt() throws Exception {
    server.enqueue(Fixture.answer(STREAM, 0).mock());
    Streamed streamed = new Streamed();
    OpenAiStreamingChatModel model =
        model(metered().attribution(Attribution.key("feature")), "gpt-4");

    try (Attribution.Scope scope = Attribution.with("feature", "refunds")) {
      model.chat("Say this is a test", streamed); // returns at once; streamed on another thread
    }
    streamed.awaitResponse();

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.counter("gen_ai_client_tokens", "feature", "refunds",
        "gen_ai_token_type", "input")).isEqualTo(12);
    assertThat(scrape.counter("gen_ai_client_calls", "feature", "refunds", "error_type", ""))
        .isEqualTo(1);
  }

  @Test
  void streamWithUsageIsRecordedOnceWithExactTokensAndChunks() throws Exception {
    server.enqueue(Fixture.answer(STREAM, 0).mock());
    Streamed streamed = new Streamed();

    model(metered(), "gpt-4").chat("Say this is a test", streamed);
    ChatResponse response = streamed.awaitResponse();

    assertThat(streamed.text()).isEqualTo("\"This is a test.\"");
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(12);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds",
        call("gpt-4", "gpt-4-0613", ""))).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(12);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(5);
    assertThat(scrape.counter("gen_ai_client_finish_reasons", "gen_ai_response_finish_reason", "stop"))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds"))
        .as("five content chunks, four gaps").isEqualTo(4);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", "limit_type", "tokens",
        "gen_ai_request_model", "gpt-4")).isEqualTo(9978);
    assertThat(scrape.gauge("gen_ai_client_requests_in_flight")).isZero();
  }

  @Test
  void rateLimitResetInGoDurationIsAGauge() throws Exception {
    server.enqueue(Fixture.answer("openai/test_chat_stream_with_include_usage_option.json", 0).mock());
    Streamed streamed = new Streamed();
    long before = System.currentTimeMillis();

    model(metered(), "gpt-4o-mini").chat("Which ocean contains Bouvet Island?", streamed);
    streamed.awaitResponse();

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(22);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(3);
    double reset = scrape.gauge("gen_ai_client_rate_limit_reset_timestamp_seconds",
        "limit_type", "requests");
    assertThat(reset).isBetween(before / 1000.0 + 63.5, System.currentTimeMillis() / 1000.0 + 63.6);
  }

  @Test
  void timeToFirstChunkIsWhenTheBytesArriveNotTheHeaders() throws Exception {
    server.enqueue(Fixture.answer(STREAM, 0).mock().setBodyDelay(400, TimeUnit.MILLISECONDS));
    Streamed streamed = new Streamed();

    model(metered(), "gpt-4").chat("Say this is a test", streamed);
    streamed.awaitResponse();

    Scrape scrape = Scrape.of(registry);
    double ttfc = scrape.histogramSum("gen_ai_client_operation_time_to_first_chunk_seconds");
    assertThat(ttfc).isGreaterThanOrEqualTo(0.4);
    assertThat(scrape.histogramSum("gen_ai_client_operation_duration_seconds")).isGreaterThanOrEqualTo(ttfc);
  }

  @Test
  void streamCutBeforeItsEndIsAnIncompleteStream() throws Exception {
    Fixture.Answer recorded = Fixture.answer(STREAM, 0);
    server.enqueue(recorded.cutAfter(recorded.indexOf("data: {\"id\":\"chatcmpl-ASYMZ4oSykiIFK4lXLReDiKyAjsQl\","
        + "\"object\":\"chat.completion.chunk\",\"created\":1731368639,\"model\":\"gpt-4-0613\","
        + "\"system_fingerprint\":null,\"choices\":[{\"index\":0,\"delta\":{},")));
    Streamed streamed = new Streamed();

    model(metered(), "gpt-4").chat("Say this is a test", streamed);
    streamed.response.handle((r, e) -> r).get(10, TimeUnit.SECONDS);

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds",
        call("gpt-4", "gpt-4-0613", "incomplete_stream"))).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_invalid_responses", "reason", "stream_incomplete"))
        .isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens")).as("the usage chunk never came").isZero();
  }

  @Test
  void enforceHandsAnIncompleteStreamToTheErrorHandler() throws Exception {
    Fixture.Answer recorded = Fixture.answer(STREAM, 0);
    server.enqueue(recorded.cutAfter(recorded.indexOf("\"choices\":[]")));
    Streamed streamed = new Streamed();

    model(metered().validation(ValidationMode.ENFORCE), "gpt-4").chat("Say this is a test", streamed);

    Throwable error = streamed.awaitError();
    assertThat(error).as("LangChain4j wraps what the client reports").hasCauseInstanceOf(
        InvalidLlmResponseException.class);
    assertThat(((InvalidLlmResponseException) error.getCause()).reason())
        .isEqualTo(InvalidResponseReason.STREAM_INCOMPLETE);
    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds",
        "error_type", "incomplete_stream")).isEqualTo(1);
  }

  @Test
  void connectionDroppedMidStreamIsAnIoError() throws Exception {
    server.enqueue(Fixture.answer(STREAM, 0).mock()
        .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));
    Streamed streamed = new Streamed();

    model(metered(), "gpt-4").chat("Say this is a test", streamed);
    streamed.response.handle((r, e) -> r).get(10, TimeUnit.SECONDS);

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "io_error"))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    assertThat(scrape.gauge("gen_ai_client_requests_in_flight")).isZero();
  }

  @Test
  void rateLimitedStreamIsOneCallWithItsStatus() throws Exception {
    server.enqueue(Fixture.answer(
        "openai/chat_real_error_scenarios_openai_gpt-5-nano_handles_context_length_exceeded_errors.json", 0)
        .mock());
    Streamed streamed = new Streamed();

    model(metered(), "gpt-5-nano").chat("Say this is a test", streamed);

    assertThat(streamed.awaitError()).isInstanceOf(RateLimitException.class);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds",
        call("gpt-5-nano", "", "429"))).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds")).isZero();
  }

  @Test
  void streamCanceledByTheApplicationIsCanceled() throws Exception {
    server.enqueue(Fixture.answer(STREAM, 0).mock().throttleBody(200, 50, TimeUnit.MILLISECONDS));
    Streamed streamed = Streamed.cancelingAfter(1);

    model(metered(), "gpt-4").chat("Say this is a test", streamed);
    streamed.awaitResponse();

    Scrape scrape = Scrape.of(registry);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (scrape.histogramCount("gen_ai_client_operation_duration_seconds") == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
      scrape = Scrape.of(registry);
    }
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "canceled"))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
  }
}

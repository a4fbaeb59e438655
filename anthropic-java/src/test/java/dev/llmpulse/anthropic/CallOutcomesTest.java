package dev.llmpulse.anthropic;

import static dev.llmpulse.anthropic.RecordedCallsTest.assertNothingInFlight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.Timeout;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How each try of an SDK call ends, as the metrics say it: the SDK retries above the interceptor,
 * so every try is one call with its own outcome; HTTP errors by status, failures by kind, a
 * stream cut short as incomplete; calls that are not LLM API calls are not recorded.
 */
class CallOutcomesTest {
  private static final String OVERLOADED =
      "anthropic/chat_function_calling_anthropic_claude-3-5-haiku-20241022_can_use_tools_without_parameters.json";
  private static final String NOT_FOUND = "anthropic/test_sync_messages_stream_api_error.json";
  private static final String CACHE =
      "anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json";
  private static final String STREAM = "anthropic/test_anthropic_message_streaming_legacy.json";
  private static final String HAIKU_35 = "claude-3-5-haiku-20241022";
  private static final String HAIKU_45 = "claude-haiku-4-5-20251001";
  private static final String HAIKU_3 = "claude-3-haiku-20240307";

  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsAnthropicInterceptor interceptor =
      LlmMetricsAnthropicInterceptor.builder().registry(registry).prices(CostModel.NONE).build();
  private AnthropicClient client;

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    if (client != null) client.close();
    server.shutdown();
  }

  private AnthropicClient client(int maxRetries) {
    client = Sdk.builder(server).maxRetries(maxRetries).addInterceptor(interceptor).build();
    return client;
  }

  private long calls(String errorType) {
    return Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds", "error_type", errorType);
  }

  private long allCalls() {
    return Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds");
  }

  @Test
  void overloaded529RetriedTwiceIsThreeCalls() {
    for (int i = 0; i < 3; i++) server.enqueue(Fixture.load(OVERLOADED, 0).mockResponse());

    assertThatThrownBy(() -> client(2).messages().create(Sdk.message(HAIKU_35)))
        .isInstanceOf(AnthropicServiceException.class);

    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(calls("529")).as("each try of the SDK is one call").isEqualTo(3);
    assertThat(allCalls()).isEqualTo(3);
    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds",
        "gen_ai_request_model", HAIKU_35, "gen_ai_response_model", "", "gen_ai_provider_name", Sdk.PROVIDER))
        .isEqualTo(3);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void overloadedThenAnsweredIsOneFailedTryAndOneAnswer() {
    server.enqueue(Fixture.load(OVERLOADED, 0).mockResponse());
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());

    Message message = client(2).messages().create(Sdk.message(HAIKU_45));

    assertThat(message.usage().cacheCreationInputTokens()).contains(7351L);
    assertThat(calls("529")).isEqualTo(1);
    assertThat(calls("")).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(4);
  }

  @Test
  void overloadedStreamRetriedUnreadIsStill529NotCanceled() {
    server.enqueue(Fixture.load(OVERLOADED, 0).mockResponse());
    server.enqueue(Fixture.load(STREAM, 0).mockResponse());

    long events;
    try (StreamResponse<RawMessageStreamEvent> stream = client(2).messages().createStreaming(Sdk.message(HAIKU_3))) {
      events = stream.stream().count();
    }

    assertThat(events).isPositive();
    assertThat(calls("529")).as("the SDK closes the 529 it retries without reading it").isEqualTo(1);
    assertThat(calls("canceled")).isZero();
    assertThat(calls("")).isEqualTo(1);
  }

  @Test
  void rateLimited429IsRetriedAndItsHeadersAreRecorded() {
    MockResponse limited = new MockResponse().setResponseCode(429)
        .addHeader("Content-Type", "application/json")
        .addHeader("retry-after", "0")
        .addHeader("anthropic-ratelimit-requests-limit", "50")
        .addHeader("anthropic-ratelimit-requests-remaining", "0")
        .addHeader("anthropic-ratelimit-requests-reset", "2026-08-19T14:34:12Z")
        .setBody("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of requests has exceeded your rate limit.\"}}");
    server.enqueue(limited);
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());

    client(1).messages().create(Sdk.message(HAIKU_45));

    assertThat(calls("429")).isEqualTo(1);
    assertThat(calls("")).isEqualTo(1);
    assertThat(Scrape.of(registry).gauge("gen_ai_client_rate_limit_remaining", "limit_type", "requests"))
        .as("the answer after the 429 set it last").isEqualTo(9999);
  }

  @Test
  void rateLimitHeadersOfAnErrorAreSeen() {
    server.enqueue(new MockResponse().setResponseCode(429)
        .addHeader("Content-Type", "application/json")
        .addHeader("anthropic-ratelimit-requests-limit", "50")
        .addHeader("anthropic-ratelimit-requests-remaining", "0")
        .setBody("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}"));

    assertThatThrownBy(() -> client(0).messages().create(Sdk.message(HAIKU_45)))
        .isInstanceOf(AnthropicServiceException.class);

    assertThat(calls("429")).isEqualTo(1);
    assertThat(Scrape.of(registry).gauge("gen_ai_client_rate_limit_remaining", "limit_type", "requests")).isZero();
    assertThat(Scrape.of(registry).gauge("gen_ai_client_rate_limit_limit", "limit_type", "requests")).isEqualTo(50);
  }

  @Test
  void notFoundIsNotRetriedAndIsOne404() {
    server.enqueue(Fixture.load(NOT_FOUND, 0).mockResponse());

    assertThatThrownBy(() -> client(2).messages().create(Sdk.message("invalid-model-name")))
        .isInstanceOf(NotFoundException.class);

    assertThat(server.getRequestCount()).as("x-should-retry: false").isEqualTo(1);
    assertThat(calls("404")).isEqualTo(1);
    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds",
        "gen_ai_request_model", "invalid-model-name", "error_type", "404")).isEqualTo(1);
  }

  @Test
  void serverErrorsAreRetriedEachTryACall() {
    Fixture.Interaction overloaded = Fixture.load(OVERLOADED, 0);
    server.enqueue(overloaded.mockResponse().setResponseCode(500));
    server.enqueue(overloaded.mockResponse().setResponseCode(503));

    assertThatThrownBy(() -> client(1).messages().create(Sdk.message(HAIKU_35)))
        .isInstanceOf(AnthropicServiceException.class);

    assertThat(calls("500")).isEqualTo(1);
    assertThat(calls("503")).isEqualTo(1);
  }

  @Test
  void asyncRetriesAreOneCallPerTry() throws Exception {
    server.enqueue(Fixture.load(OVERLOADED, 0).mockResponse());
    server.enqueue(Fixture.load(OVERLOADED, 0).mockResponse());
    server.enqueue(Fixture.load(CACHE, 1).mockResponse());

    Message message = client(2).async().messages().create(Sdk.message(HAIKU_45)).get(10, TimeUnit.SECONDS);

    assertThat(message.usage().cacheReadInputTokens()).contains(7351L);
    assertThat(calls("529")).isEqualTo(2);
    assertThat(calls("")).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void asyncCallCanceledByTheAppDoesNotStayInFlight() throws Exception {
    server.enqueue(Fixture.load(CACHE, 0).mockResponse().setHeadersDelay(300, TimeUnit.MILLISECONDS));

    CompletableFuture<Message> answer = client(0).async().messages().create(Sdk.message(HAIKU_45));
    assertThat(server.takeRequest(10, TimeUnit.SECONDS)).as("the request went out").isNotNull();
    answer.cancel(true);
    // The SDK neither cancels its HTTP call nor closes the answer that still arrives.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (calls("canceled") == 0 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(50);
    }

    assertThat(calls("canceled")).as("ended once the dropped answer is garbage").isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void callTimeoutBeforeTheAnswerIsATimeout() {
    server.enqueue(Fixture.load(CACHE, 0).mockResponse().setHeadersDelay(1, TimeUnit.SECONDS));
    client = Sdk.builder(server).maxRetries(0).timeout(Duration.ofMillis(300)).addInterceptor(interceptor).build();

    assertThatThrownBy(() -> client.messages().create(Sdk.message(HAIKU_45)))
        .isInstanceOf(AnthropicIoException.class);

    assertThat(calls("timeout")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void asyncReadTimeoutIsATimeout() {
    server.enqueue(Fixture.load(CACHE, 0).mockResponse().setHeadersDelay(1, TimeUnit.SECONDS));
    client = Sdk.builder(server).maxRetries(0)
        .timeout(Timeout.builder().read(Duration.ofMillis(300)).request(Duration.ofSeconds(30)).build())
        .addInterceptor(interceptor).build();

    assertThatThrownBy(() -> client.async().messages().create(Sdk.message(HAIKU_45)).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);

    assertThat(calls("timeout")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
  }

  @Test
  void streamStalledMidwayIsATimeout() {
    byte[] body = Fixture.load(STREAM, 0).responseBody;
    server.enqueue(Fixture.load(STREAM, 0).mockResponse().throttleBody(body.length / 4, 1, TimeUnit.SECONDS));
    client = Sdk.builder(server).maxRetries(0)
        .timeout(Timeout.builder().read(Duration.ofMillis(300)).request(Duration.ofSeconds(30)).build())
        .addInterceptor(interceptor).build();

    assertThatThrownBy(() -> {
      try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(Sdk.message(HAIKU_3))) {
        stream.stream().count();
      }
    }).isNotNull();

    assertThat(calls("timeout")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void streamEndingBeforeMessageStopIsIncomplete() {
    server.enqueue(Fixture.load(STREAM, 0).mockResponse(cutBefore(Fixture.load(STREAM, 0), "event: message_delta")));

    long events;
    try (StreamResponse<RawMessageStreamEvent> stream = client(0).messages().createStreaming(Sdk.message(HAIKU_3))) {
      events = stream.stream().count();
    }

    assertThat(events).as("the SDK hands over what came").isPositive();
    assertThat(calls("incomplete_stream")).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "stream_incomplete")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
  }

  @Test
  void connectionLostMidStreamIsAnIoError() {
    server.enqueue(Fixture.load(STREAM, 0).mockResponse()
        .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));

    assertThatThrownBy(() -> {
      try (StreamResponse<RawMessageStreamEvent> stream = client(0).messages().createStreaming(Sdk.message(HAIKU_3))) {
        stream.stream().count();
      }
    }).isNotNull();

    assertThat(calls("io_error")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void streamClosedByTheAppBeforeItsEndIsCanceled() {
    server.enqueue(Fixture.load(STREAM, 0).mockResponse());

    try (StreamResponse<RawMessageStreamEvent> stream = client(0).messages().createStreaming(Sdk.message(HAIKU_3))) {
      Iterator<RawMessageStreamEvent> events = stream.stream().iterator();
      assertThat(events.next().isMessageStart()).isTrue();
    }

    assertThat(calls("canceled")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void modelsListIsNotAnLlmCallAndIsNotRecorded() {
    server.enqueue(new MockResponse().addHeader("Content-Type", "application/json")
        .setBody("{\"data\":[],\"has_more\":false,\"first_id\":null,\"last_id\":null}"));

    client(0).models().list();

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(allCalls()).isZero();
    assertThat(Scrape.of(registry).series("gen_ai_client_requests_in_flight")).isEmpty();
  }

  @Test
  void theSameInterceptorAddedTwiceRecordsEachCallOnce() {
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());
    client = Sdk.builder(server).maxRetries(0).addInterceptor(interceptor).addInterceptor(interceptor).build();

    client.messages().create(Sdk.message(HAIKU_45));

    assertThat(allCalls()).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(4);
  }

  @Test
  void interceptorsOnTwoRegistriesEachRecordTheCall() {
    PrometheusRegistry other = new PrometheusRegistry();
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());
    client = Sdk.builder(server).maxRetries(0).addInterceptor(interceptor)
        .addInterceptor(LlmMetricsAnthropicInterceptor.builder().registry(other).prices(CostModel.NONE).build())
        .build();

    client.messages().create(Sdk.message(HAIKU_45));

    assertThat(allCalls()).isEqualTo(1);
    assertThat(Scrape.of(other).histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
  }

  @Test
  void gatewayHostIsNamedByTheProviderSetting() {
    assumeTrue(Sdk.HOST_VISIBLE, "anthropic-java " + Sdk.VERSION + " shows interceptors no host");
    PrometheusRegistry own = new PrometheusRegistry();
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());
    client = Sdk.builder(server).maxRetries(0).baseUrl("http://llm-gateway.internal/anthropic")
        .addInterceptor(LlmMetricsAnthropicInterceptor.builder().registry(own)
            .provider("llm-gateway.internal", "our-gateway").prices(CostModel.NONE).build())
        .build();

    client.messages().create(Sdk.message(HAIKU_45));

    assertThat(Scrape.of(own).histogramCount("gen_ai_client_operation_duration_seconds",
        "gen_ai_provider_name", "our-gateway", "server_address", "llm-gateway.internal")).isEqualTo(1);
  }

  /** The recorded body up to (not including) the first line starting with {@code marker}. */
  static byte[] cutBefore(Fixture.Interaction recorded, String marker) {
    String body = recorded.bodyText();
    int at = body.indexOf(marker);
    assertThat(at).isPositive();
    return body.substring(0, at).getBytes(StandardCharsets.UTF_8);
  }
}

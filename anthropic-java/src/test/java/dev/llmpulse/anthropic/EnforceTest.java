package dev.llmpulse.anthropic;

import static dev.llmpulse.anthropic.CallOutcomesTest.cutBefore;
import static dev.llmpulse.anthropic.RecordedCallsTest.assertNothingInFlight;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicIoException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.ValidationMode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ENFORCE mode inside the SDK: a 2xx answer that is not usable fails the try the way a network
 * failure does (so the SDK's own retries take it), with the reason in the cause; valid answers
 * reach the SDK unchanged.
 */
class EnforceTest {
  private static final String CACHE =
      "anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json";
  private static final String STREAM = "anthropic/test_anthropic_message_streaming_legacy.json";
  private static final String HAIKU_45 = "claude-haiku-4-5-20251001";

  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
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

  private AnthropicClient client(int maxRetries, long maxEnforcedBodyBytes) {
    client = Sdk.builder(server).maxRetries(maxRetries)
        .addInterceptor(LlmMetricsAnthropicInterceptor.builder().registry(registry).prices(CostModel.NONE)
            .validation(ValidationMode.ENFORCE).maxEnforcedBodyBytes(maxEnforcedBodyBytes).build())
        .build();
    return client;
  }

  private static byte[] truncated(Fixture.Interaction recorded) {
    return Arrays.copyOf(recorded.responseBody, recorded.responseBody.length / 2);
  }

  private long calls(String errorType) {
    return Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds", "error_type", errorType);
  }

  @Test
  void truncatedAnswerFailsTheCallWithItsReason() {
    Fixture.Interaction recorded = Fixture.load(CACHE, 0);
    server.enqueue(recorded.mockResponse(truncated(recorded)));

    Throwable thrown = catchThrowable(() -> client(0, 1024 * 1024).messages().create(Sdk.message(HAIKU_45)));

    assertThat(thrown).isInstanceOf(AnthropicIoException.class)
        .hasCauseInstanceOf(InvalidLlmResponseException.class)
        .hasMessageContaining("truncated_json");
    assertThat(((InvalidLlmResponseException) thrown.getCause()).reason())
        .isEqualTo(InvalidResponseReason.TRUNCATED_JSON);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "truncated_json")).isEqualTo(1);
    assertThat(calls("invalid_response")).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void sdkRetriesAnInvalidAnswerAndGetsTheNextOne() {
    Fixture.Interaction recorded = Fixture.load(CACHE, 0);
    server.enqueue(recorded.mockResponse(truncated(recorded)));
    server.enqueue(recorded.mockResponse());

    Message message = client(1, 1024 * 1024).messages().create(Sdk.message(HAIKU_45));

    assertThat(message.usage().cacheCreationInputTokens()).contains(7351L);
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(calls("invalid_response")).isEqualTo(1);
    assertThat(calls("")).isEqualTo(1);
  }

  @Test
  void asyncInvalidAnswerFailsTheFuture() {
    Fixture.Interaction recorded = Fixture.load(CACHE, 1);
    server.enqueue(recorded.mockResponse(new byte[0]));

    Throwable thrown = catchThrowable(() ->
        client(0, 1024 * 1024).async().messages().create(Sdk.message(HAIKU_45)).get(10, TimeUnit.SECONDS));

    assertThat(thrown).isInstanceOf(ExecutionException.class);
    assertThat(thrown).hasRootCauseInstanceOf(InvalidLlmResponseException.class);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "empty_body")).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void validAnswerReachesTheSdkUnchanged() {
    server.enqueue(Fixture.load(CACHE, 1).mockResponse());

    Message message = client(0, 1024 * 1024).messages().create(Sdk.message(HAIKU_45));

    assertThat(message.usage().cacheReadInputTokens()).contains(7351L);
    assertThat(calls("")).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses")).isZero();
  }

  @Test
  void answerAboveTheCapIsPassedOnAndJudgedAtItsEnd() {
    Fixture.Interaction recorded = Fixture.load(CACHE, 1);
    byte[] padding = new byte[3000];
    Arrays.fill(padding, (byte) ' ');
    byte[] padded = (recorded.bodyText() + new String(padding, StandardCharsets.US_ASCII))
        .getBytes(StandardCharsets.UTF_8);
    server.enqueue(recorded.mockResponse(padded));

    Message message = client(0, 1024).messages().create(Sdk.message(HAIKU_45));

    assertThat(message.usage().cacheReadInputTokens()).contains(7351L);
    assertThat(calls("")).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "cache_read")).isEqualTo(7351);
  }

  @Test
  void streamCutBeforeItsEndFailsAtItsEnd() {
    Fixture.Interaction recorded = Fixture.load(STREAM, 0);
    server.enqueue(recorded.mockResponse(cutBefore(recorded, "event: message_delta")));

    Throwable thrown = catchThrowable(() -> {
      try (StreamResponse<RawMessageStreamEvent> stream =
          client(0, 1024 * 1024).messages().createStreaming(Sdk.message("claude-3-haiku-20240307"))) {
        stream.stream().count();
      }
    });

    assertThat(thrown).hasRootCauseInstanceOf(InvalidLlmResponseException.class);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "stream_incomplete")).isEqualTo(1);
    assertThat(calls("incomplete_stream")).isEqualTo(1);
    assertNothingInFlight(Scrape.of(registry));
  }

  @Test
  void completeStreamPassesUnchanged() {
    server.enqueue(Fixture.load(STREAM, 0).mockResponse());

    long events;
    try (StreamResponse<RawMessageStreamEvent> stream =
        client(0, 1024 * 1024).messages().createStreaming(Sdk.message("claude-3-haiku-20240307"))) {
      events = stream.stream().count();
    }

    assertThat(events).isPositive();
    assertThat(calls("")).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(171);
  }
}

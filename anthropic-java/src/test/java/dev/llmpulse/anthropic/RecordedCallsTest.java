package dev.llmpulse.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.AsyncStreamResponse;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recorded Anthropic answers served to the real SDK, called the ways an application calls it
 * (sync, async, {@code createStreaming}): the SDK gets the recorded answer, and each call is
 * recorded once with the exact tokens by type, models, finish reason, time to first chunk and
 * rate-limit headroom.
 */
class RecordedCallsTest {
  private static final String CACHE =
      "anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json";
  private static final String HAIKU_45 = "claude-haiku-4-5-20251001";

  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private AnthropicClient client;

  @BeforeEach
  void start() throws IOException {
    server.start();
    client = Sdk.client(server,
        LlmMetricsAnthropicInterceptor.builder().registry(registry).prices(CostModel.NONE).build());
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
    server.shutdown();
  }

  @Test
  void theSdkUnderTestIsTheExpectedVersion() throws Exception {
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());
    client.messages().create(Sdk.message(HAIKU_45));
    RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
    String expected = System.getProperty("llmpulse.expectedAnthropic");
    assertThat(expected).as("set by the surefire execution").isNotBlank();
    assertThat(sent.getHeader("X-Stainless-Package-Version")).isEqualTo(expected);
  }

  @Test
  void promptCacheWriteThenReadAreRecordedWithExactTokensByType() {
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());
    server.enqueue(Fixture.load(CACHE, 1).mockResponse());

    Message write = client.messages().create(Sdk.message(HAIKU_45));
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "cache_creation"))
        .isEqualTo(7351);
    Message read = client.messages().create(Sdk.message(HAIKU_45));

    assertThat(write.usage().cacheCreationInputTokens()).contains(7351L); // the SDK got the answer
    assertThat(read.usage().cacheReadInputTokens()).contains(7351L);
    Scrape scrape = Scrape.of(registry);
    String[] call = call(HAIKU_45, HAIKU_45);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", with(call, "error_type", "")))
        .isEqualTo(2);
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "input")))
        .as("input = input_tokens + cache_read + cache_creation, twice").isEqualTo(2 * (10 + 7351));
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "output"))).isEqualTo(2 * 4);
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "cache_read"))).isEqualTo(7351);
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "cache_creation"))).isEqualTo(7351);
    assertThat(scrape.counter("gen_ai_client_finish_reasons", with(call, "gen_ai_response_finish_reason", "end_turn")))
        .isEqualTo(2);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .as("no stream, no time to first chunk").isZero();
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).isZero();
    assertNothingInFlight(scrape);
  }

  @Test
  void rateLimitHeadersOfTheLastAnswerAreTheGauges() {
    server.enqueue(Fixture.load(CACHE, 0).mockResponse());
    client.messages().create(Sdk.message(HAIKU_45));

    Scrape scrape = Scrape.of(registry);
    String[] key = {"gen_ai_provider_name", Sdk.PROVIDER, "server_address", Sdk.ADDRESS,
        "gen_ai_request_model", HAIKU_45};
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", with(key, "limit_type", "requests"))).isEqualTo(9999);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_limit", with(key, "limit_type", "requests"))).isEqualTo(10000);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", with(key, "limit_type", "input_tokens")))
        .isEqualTo(9998000);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", with(key, "limit_type", "tokens"))).isEqualTo(11998000);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_limit", with(key, "limit_type", "output_tokens"))).isEqualTo(2000000);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_reset_timestamp_seconds", with(key, "limit_type", "requests")))
        .isEqualTo(Instant.parse("2026-08-19T14:34:12Z").getEpochSecond());
  }

  @Test
  void asyncCallIsRecordedLikeTheSyncOne() throws Exception {
    server.enqueue(Fixture.load(CACHE, 1).mockResponse());

    Message read = client.async().messages().create(Sdk.message(HAIKU_45)).get(10, TimeUnit.SECONDS);

    assertThat(read.usage().cacheReadInputTokens()).contains(7351L);
    Scrape scrape = Scrape.of(registry);
    String[] call = call(HAIKU_45, HAIKU_45);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", with(call, "error_type", "")))
        .isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "input"))).isEqualTo(10 + 7351);
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "cache_read"))).isEqualTo(7351);
    assertThat(scrape.counter("gen_ai_client_finish_reasons", "gen_ai_response_finish_reason", "end_turn")).isEqualTo(1);
    assertNothingInFlight(scrape);
  }

  /** A recorded stream and what it must produce. */
  static final class RecordedStream {
    final String fixture;
    final String model;
    final long input;
    final long output;
    final String finishReason;
    final int contentChunks;

    RecordedStream(String fixture, String model, long input, long output, String finishReason, int contentChunks) {
      this.fixture = fixture;
      this.model = model;
      this.input = input;
      this.output = output;
      this.finishReason = finishReason;
      this.contentChunks = contentChunks;
    }

    @Override
    public String toString() {
      return fixture;
    }
  }

  static Stream<RecordedStream> streams() {
    return Stream.of(
        new RecordedStream("anthropic/test_anthropic_message_streaming_legacy.json",
            "claude-3-haiku-20240307", 17, 171, "end_turn", 70),
        new RecordedStream(
            "anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.json",
            HAIKU_45, 633, 75, "tool_use", 7), // the tool_use block start, 6 of its 7 input_json_delta (one is empty)
        new RecordedStream(
            "anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_without_parameters_in_multi-turn_streaming_conversations.json",
            HAIKU_45, 579, 41, "tool_use", 1)); // the tool_use block start; its only delta is empty
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void createStreamingIsRecordedOnceAtTheEndOfTheStream(RecordedStream expected) {
    server.enqueue(Fixture.load(expected.fixture, 0).mockResponse());

    List<String> types;
    try (StreamResponse<RawMessageStreamEvent> stream =
        client.messages().createStreaming(Sdk.message(expected.model))) {
      types = stream.stream().map(event -> {
        assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds"))
            .as("nothing is recorded while the stream is still being read").isZero();
        return eventType(event);
      }).collect(Collectors.toList());
    }

    assertThat(types).startsWith("message_start").endsWith("message_stop");
    assertStreamRecorded(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void asyncCreateStreamingIsRecordedOnceAtTheEndOfTheStream(RecordedStream expected) throws Exception {
    server.enqueue(Fixture.load(expected.fixture, 0).mockResponse());

    List<String> types = new CopyOnWriteArrayList<>();
    AsyncStreamResponse<RawMessageStreamEvent> stream =
        client.async().messages().createStreaming(Sdk.message(expected.model));
    stream.subscribe(new AsyncStreamResponse.Handler<RawMessageStreamEvent>() {
      @Override
      public void onNext(RawMessageStreamEvent event) {
        types.add(eventType(event));
      }

      @Override
      public void onComplete(Optional<Throwable> error) {}
    });
    stream.onCompleteFuture().get(10, TimeUnit.SECONDS);

    assertThat(types).startsWith("message_start").endsWith("message_stop");
    assertStreamRecorded(expected);
  }

  private void assertStreamRecorded(RecordedStream expected) {
    Scrape scrape = Scrape.of(registry);
    String[] call = call(expected.model, expected.model);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", with(call, "error_type", "")))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "input"))).isEqualTo(expected.input);
    assertThat(scrape.counter("gen_ai_client_tokens", with(call, "gen_ai_token_type", "output"))).isEqualTo(expected.output);
    assertThat(scrape.counter("gen_ai_client_finish_reasons",
        with(call, "gen_ai_response_finish_reason", expected.finishReason))).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_finish_reasons")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds", call)).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds", call))
        .as("one gap between each pair of content chunks").isEqualTo(expected.contentChunks - 1);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).as("a complete stream is valid").isZero();
    assertNothingInFlight(scrape);
  }

  static String eventType(RawMessageStreamEvent event) {
    if (event.isMessageStart()) return "message_start";
    if (event.isMessageStop()) return "message_stop";
    if (event.isMessageDelta()) return "message_delta";
    return "content";
  }

  static void assertNothingInFlight(Scrape scrape) {
    double sum = 0;
    for (io.prometheus.metrics.model.snapshots.DataPointSnapshot p : scrape.points("gen_ai_client_requests_in_flight")) {
      sum += ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) p).getValue();
    }
    assertThat(sum).as("nothing left in flight").isZero();
  }

  static String[] call(String requestModel, String responseModel) {
    return new String[] {
        "gen_ai_operation_name", "chat",
        "gen_ai_provider_name", Sdk.PROVIDER,
        "gen_ai_request_model", requestModel,
        "gen_ai_response_model", responseModel,
        "server_address", Sdk.ADDRESS};
  }

  static String[] with(String[] labels, String name, String value) {
    String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
    all[labels.length] = name;
    all[labels.length + 1] = value;
    return all;
  }
}

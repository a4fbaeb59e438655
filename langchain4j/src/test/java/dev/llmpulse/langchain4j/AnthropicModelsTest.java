package dev.llmpulse.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's Anthropic models (the real jar) take the same builder: recorded Anthropic
 * answers on loopback give the exact tokens by type, cache included, finish reasons, chunks and
 * Anthropic's rate-limit headers; an overloaded 529 retried by LangChain4j is a call of its own.
 */
class AnthropicModelsTest {
  private static final String CACHE =
      "anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json";
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
        .provider(server.getHostName(), "anthropic");
  }

  @Test
  void overloadedTryThenCacheWriteThenCacheReadAreThreeCallsWithExactTokens() {
    server.enqueue(Fixture.answer(
        "anthropic/chat_function_calling_anthropic_claude-3-5-haiku-20241022_can_use_tools_without_parameters.json",
        0).mock());
    server.enqueue(Fixture.answer(CACHE, 0).mock());
    server.enqueue(Fixture.answer(CACHE, 1).mock());
    AnthropicChatModel model = AnthropicChatModel.builder()
        .baseUrl(server.url("/v1/").toString())
        .apiKey("test-key")
        .modelName("claude-haiku-4-5-20251001")
        .httpClientBuilder(metered())
        .maxRetries(1)
        .timeout(Duration.ofSeconds(5))
        .build();

    assertThat(model.chat("Reply with exactly: OK")).isEqualTo("OK");
    assertThat(model.chat("Reply with exactly: OK")).isEqualTo("OK");

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "529",
        "gen_ai_request_model", "claude-haiku-4-5-20251001")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "",
        "gen_ai_response_model", "claude-haiku-4-5-20251001")).isEqualTo(2);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input"))
        .as("input includes cache reads and writes").isEqualTo(2 * (10 + 7351));
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "cache_creation")).isEqualTo(7351);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "cache_read")).isEqualTo(7351);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(8);
    assertThat(scrape.counter("gen_ai_client_finish_reasons", "gen_ai_response_finish_reason", "end_turn"))
        .isEqualTo(2);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", "limit_type", "input_tokens"))
        .as("the last answer's headers").isEqualTo(10000000);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_limit", "limit_type", "output_tokens"))
        .isEqualTo(2000000);
  }

  @Test
  void messagesStreamIsRecordedWithTokensChunksAndRateLimits() throws Exception {
    server.enqueue(Fixture.answer("anthropic/test_anthropic_message_streaming_legacy.json", 0).mock());
    AnthropicStreamingChatModel model = AnthropicStreamingChatModel.builder()
        .baseUrl(server.url("/v1/").toString())
        .apiKey("test-key")
        .modelName("claude-3-haiku-20240307")
        .httpClientBuilder(metered())
        .timeout(Duration.ofSeconds(5))
        .build();
    Streamed streamed = new Streamed();

    model.chat("Tell me a joke about OpenTelemetry", streamed);
    streamed.awaitResponse();

    Scrape scrape = Scrape.afterTokensOf(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "",
        "gen_ai_request_model", "claude-3-haiku-20240307",
        "gen_ai_response_model", "claude-3-haiku-20240307")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(17);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(171);
    assertThat(scrape.counter("gen_ai_client_finish_reasons", "gen_ai_response_finish_reason", "end_turn"))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds"))
        .as("70 content chunks, 69 gaps").isEqualTo(69);
    assertThat(scrape.gauge("gen_ai_client_rate_limit_remaining", "limit_type", "requests")).isEqualTo(49);
  }
}

package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.llmpulse.anthropic.LlmMetricsAnthropicInterceptor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's anthropic-java recipe (the llmpulse-anthropic-java binding), run as written
 * against the real SDK: {@code fromEnv()} reads the {@code anthropic.apiKey} and
 * {@code anthropic.baseUrl} system properties before the environment.
 */
class AnthropicJavaRecipeTest {
  private Upstream upstream;
  private final PrometheusRegistry registry = new PrometheusRegistry();

  @BeforeEach
  void start() throws Exception {
    upstream = new Upstream();
    System.setProperty("anthropic.apiKey", "sk-ant-test");
    System.setProperty("anthropic.baseUrl", "http://api.anthropic.com");
  }

  @AfterEach
  void stop() throws Exception {
    System.clearProperty("anthropic.apiKey");
    System.clearProperty("anthropic.baseUrl");
    upstream.close();
  }

  private AnthropicClient recipe() {
    // README recipe: anthropic-java
    AnthropicClient anthropic = AnthropicOkHttpClient.builder()
        .fromEnv()   // ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
        .addInterceptor(LlmMetricsAnthropicInterceptor.builder().registry(registry).build())
        .build();
    // end of README recipe
    return anthropic;
  }

  @Test
  void messageIsRecordedWithCacheTokens() {
    String model = "claude-haiku-4-5-20251001";
    upstream.enqueue(Recorded.load(
        "anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json"));

    recipe().messages().create(MessageCreateParams.builder()
        .model(model).maxTokens(64).addUserMessage("Reply with exactly: OK").build());

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens(model, "input")).isEqualTo(10 + 7351);
    assertThat(scrape.tokens(model, "cache_creation")).isEqualTo(7351);
    assertThat(scrape.tokens(model, "output")).isEqualTo(4);
    assertThat(scrape.value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_provider_name=\"anthropic\"", "server_address=\"api.anthropic.com\"",
        "error_type=\"\"")).isEqualTo(1);
  }

  @Test
  void streamCarriesItsUsageWithoutAnOption() {
    String model = "claude-3-haiku-20240307";
    upstream.enqueue(Recorded.load("anthropic/test_anthropic_message_streaming_legacy.json"));

    long events;
    try (StreamResponse<RawMessageStreamEvent> stream = recipe().messages().createStreaming(
        MessageCreateParams.builder().model(model).maxTokens(1024)
            .addUserMessage("Tell me a joke about OpenTelemetry").build())) {
      events = stream.stream().count();
    }

    assertThat(events).isPositive();
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens(model, "input")).isEqualTo(17);
    assertThat(scrape.tokens(model, "output")).isEqualTo(171);
    assertThat(scrape.value("gen_ai_client_finish_reasons_total",
        "gen_ai_response_finish_reason=\"end_turn\"")).isEqualTo(1);
  }
}

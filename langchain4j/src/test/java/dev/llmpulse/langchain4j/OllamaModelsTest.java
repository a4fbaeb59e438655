package dev.llmpulse.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's Ollama models (the real jar) on Ollama's native API: the whole answer and the
 * NDJSON stream, which LangChain4j reads with its own parser; the tee sits before any parser.
 */
class OllamaModelsTest {
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
        .provider(server.getHostName(), "ollama");
  }

  private String[] call(String errorType) {
    return new String[] {"gen_ai_operation_name", "chat", "gen_ai_provider_name", "ollama",
        "gen_ai_request_model", "llama3", "gen_ai_response_model", "llama3",
        "server_address", server.getHostName(), "error_type", errorType};
  }

  @Test
  void chatIsRecordedWithEvalCounts() {
    server.enqueue(Fixture.answer("ollama/test_ollama_chat_legacy.json", 0).mock());
    OllamaChatModel model = OllamaChatModel.builder()
        .baseUrl(server.url("/").toString())
        .modelName("llama3")
        .httpClientBuilder(metered())
        .timeout(Duration.ofSeconds(5))
        .build();

    assertThat(model.chat("Tell me a joke about OpenTelemetry")).startsWith("A joke about OpenTelemetry!");

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", call(""))).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(17);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(66);
    assertThat(scrape.counter("gen_ai_client_finish_reasons", "gen_ai_response_finish_reason", "stop"))
        .isEqualTo(1);
  }

  @Test
  void ndjsonStreamIsRecordedWithTokensAndChunks() throws Exception {
    server.enqueue(Fixture.answer("ollama/test_ollama_streaming_chat_legacy.json", 0).mock());
    OllamaStreamingChatModel model = OllamaStreamingChatModel.builder()
        .baseUrl(server.url("/").toString())
        .modelName("llama3")
        .httpClientBuilder(metered())
        .timeout(Duration.ofSeconds(5))
        .build();
    Streamed streamed = new Streamed();

    model.chat("Tell me a joke about OpenTelemetry", streamed);
    streamed.awaitResponse();

    assertThat(streamed.text()).startsWith("Why did");
    Scrape scrape = Scrape.afterTokensOf(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", call(""))).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(17);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(50);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds"))
        .isEqualTo(streamed.parts.size() - 1);
  }
}

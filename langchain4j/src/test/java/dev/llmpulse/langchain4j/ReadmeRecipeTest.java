package dev.llmpulse.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The README's LangChain4j recipe, as written there, against the real LangChain4j jars. */
class ReadmeRecipeTest {
  private final MockWebServer server = new MockWebServer();

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  @Test
  void recipeRecordsTheCallsOfBothModels() throws Exception {
    server.enqueue(Fixture.answer("openai/test_chat_completion_with_content.json", 0).mock());
    server.enqueue(Fixture.answer("openai/test_chat_completion_streaming.json", 0).mock());
    String baseUrl = server.url("/v1").toString(); // the recipe leaves OpenAI's default

    PrometheusRegistry registry = new PrometheusRegistry();          // or the host app's registry
    ChatModel model = OpenAiChatModel.builder()
        .baseUrl(baseUrl).apiKey("test-key").modelName("gpt-4o-mini")
        .httpClientBuilder(LlmMetricsHttpClientBuilder.wrap(JdkHttpClient.builder()).registry(registry))
        .build();
    StreamingChatModel streaming = OpenAiStreamingChatModel.builder()
        .baseUrl(baseUrl).apiKey("test-key").modelName("gpt-4")
        .httpClientBuilder(LlmMetricsHttpClientBuilder.wrap(JdkHttpClient.builder()).registry(registry))
        .build();

    model.chat("Say this is a test");
    Streamed streamed = new Streamed();
    streaming.chat("Say this is a test", streamed);
    streamed.awaitResponse();

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", ""))
        .isEqualTo(2);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(12 + 12);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(5 + 5);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds",
        "gen_ai_request_model", "gpt-4")).isEqualTo(1);
  }
}

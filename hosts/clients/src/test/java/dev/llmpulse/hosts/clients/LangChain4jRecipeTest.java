package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.llmpulse.langchain4j.LlmMetricsHttpClientBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's LangChain4j recipe (the llmpulse-langchain4j binding), run against the real
 * LangChain4j jars; the test adds a base URL and a key, to reach plain-HTTP OpenAI on loopback
 * (see {@link ReadmeRecipesTest#TEST_ONLY}).
 */
class LangChain4jRecipeTest {
  private Upstream upstream;
  private final PrometheusRegistry registry = new PrometheusRegistry();

  @BeforeEach
  void start() throws Exception {
    upstream = new Upstream();
  }

  @AfterEach
  void stop() throws Exception {
    upstream.close();
  }

  @Test
  void chatModelIsRecordedWithItsTokens() {
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));
    // README recipe: langchain4j
    ChatModel model = OpenAiChatModel.builder()
        .baseUrl("http://api.openai.com/v1").apiKey("sk-test").modelName("gpt-4o-mini")
        .httpClientBuilder(LlmMetricsHttpClientBuilder.wrap(JdkHttpClient.builder()).registry(registry))
        .build();
    // end of README recipe

    assertThat(model.chat("Say this is a test")).isEqualTo("This is a test.");
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens("gpt-4o-mini", "input")).isEqualTo(12);
    assertThat(scrape.tokens("gpt-4o-mini", "output")).isEqualTo(5);
    assertThat(scrape.value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_provider_name=\"openai\"", "server_address=\"api.openai.com\"",
        "error_type=\"\"")).isEqualTo(1);
  }

  @Test
  void streamingModelAsksForUsageItself() throws Exception {
    Recorded recorded = Recorded.load("openai/test_chat_completion_streaming.json");
    upstream.enqueue(recorded);
    StreamingChatModel model = OpenAiStreamingChatModel.builder()
        .baseUrl("http://api.openai.com/v1").apiKey("sk-test").modelName("gpt-4")
        .httpClientBuilder(LlmMetricsHttpClientBuilder.wrap(JdkHttpClient.builder()).registry(registry))
        .build();

    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat("Say this is a test", new StreamingChatResponseHandler() {
      @Override
      public void onPartialResponse(String partialResponse) {}

      @Override
      public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    });
    done.get(10, TimeUnit.SECONDS);

    assertThat(upstream.takeJson().at("/stream_options/include_usage").asBoolean()).isTrue();
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens("gpt-4", "input")).isEqualTo(12);
    assertThat(scrape.tokens("gpt-4", "output")).isEqualTo(5);
  }
}

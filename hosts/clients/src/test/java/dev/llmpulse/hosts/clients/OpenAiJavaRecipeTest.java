package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's openai-java recipe, run as written against the real SDK: {@code fromEnv()} reads
 * the {@code openai.apiKey} and {@code openai.baseUrl} system properties before the environment,
 * so the recipe needs no change to reach the recorded answers on loopback.
 */
class OpenAiJavaRecipeTest {
  private Upstream upstream;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsInterceptor interceptor =
      LlmMetricsInterceptor.builder().registry(registry).build();

  @BeforeEach
  void start() throws Exception {
    upstream = new Upstream();
    System.setProperty("openai.apiKey", "sk-test");
    System.setProperty("openai.baseUrl", "http://api.openai.com/v1");
  }

  @AfterEach
  void stop() throws Exception {
    System.clearProperty("openai.apiKey");
    System.clearProperty("openai.baseUrl");
    upstream.close();
  }

  @Test
  void wholeAnswerIsRecordedWithItsTokens() throws Exception {
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));
    // README recipe: openai-java
    OpenAIClient openAi = OpenAIOkHttpClient.builder()
        .fromEnv()                     // OPENAI_API_KEY, OPENAI_BASE_URL
        .addInterceptor(interceptor)   // each try of the SDK's retries is one call
        .build();
    // end of README recipe

    ChatCompletion answer = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addUserMessage("Say this is a test").build());

    assertThat(answer.choices().get(0).message().content()).hasValue("This is a test.");
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens("gpt-4o-mini", "input")).isEqualTo(12);
    assertThat(scrape.tokens("gpt-4o-mini", "output")).isEqualTo(5);
    assertThat(scrape.value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_provider_name=\"openai\"", "server_address=\"api.openai.com\"",
        "gen_ai_response_model=\"gpt-4o-mini-2024-07-18\"", "error_type=\"\"")).isEqualTo(1);
  }

  @Test
  void streamWithIncludeUsageIsRecordedWithItsTokens() throws Exception {
    Recorded recorded = Recorded.load("openai/test_chat_completion_streaming.json");
    upstream.enqueue(recorded);
    OpenAIClient openAi = OpenAIOkHttpClient.builder()
        .fromEnv()
        .addInterceptor(interceptor)
        .build();
    // README recipe: openai-java-stream
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("gpt-4")
        .addUserMessage("Say this is a test")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
    // end of README recipe

    String text;
    try (StreamResponse<ChatCompletionChunk> stream =
        openAi.chat().completions().createStreaming(params)) {
      text = stream.stream().flatMap(chunk -> chunk.choices().stream())
          .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
    }

    assertThat(text).isEqualTo("\"This is a test.\"");
    assertThat(upstream.takeJson().get("stream_options"))
        .isEqualTo(recorded.requestJson().get("stream_options"));   // include_usage: true
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens("gpt-4", "input")).isEqualTo(12);
    assertThat(scrape.tokens("gpt-4", "output")).isEqualTo(5);
    assertThat(scrape.value("gen_ai_client_operation_time_to_first_chunk_seconds_count",
        "gen_ai_request_model=\"gpt-4\"")).isEqualTo(1);
    assertThat(scrape.calls("gpt-4", "")).isEqualTo(1);
  }

  @Test
  void eachRetryOfTheSdkIsACallOfItsOwn() throws Exception {
    upstream.enqueue(Recorded.load(
        "openai/chat_real_error_scenarios_openai_gpt-5-nano_handles_context_length_exceeded_errors.json"));
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));
    OpenAIClient openAi = OpenAIOkHttpClient.builder()
        .fromEnv()
        .addInterceptor(interceptor)
        .build();

    openAi.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("gpt-4o-mini").addUserMessage("Say this is a test").build());

    assertThat(upstream.server.getRequestCount()).isEqualTo(2);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.calls("gpt-4o-mini", "429")).isEqualTo(1);
    assertThat(scrape.calls("gpt-4o-mini", "")).isEqualTo(1);
    assertThat(scrape.tokens("gpt-4o-mini", "input")).isEqualTo(12);
  }
}

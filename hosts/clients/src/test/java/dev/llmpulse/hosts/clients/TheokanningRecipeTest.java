package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.theokanning.openai.client.OpenAiApi;
import com.theokanning.openai.completion.chat.ChatCompletionChoice;
import com.theokanning.openai.completion.chat.ChatCompletionChunk;
import com.theokanning.openai.completion.chat.ChatCompletionRequest;
import com.theokanning.openai.completion.chat.ChatMessage;
import com.theokanning.openai.service.OpenAiService;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's recipe for theokanning's openai-gpt3-java (archived), run against the real
 * library; the test swaps its fixed {@code https://api.openai.com/} for plain HTTP on loopback.
 * Its requests cannot carry {@code stream_options}: its streams are recorded without tokens.
 */
class TheokanningRecipeTest {
  private Upstream upstream;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsInterceptor interceptor =
      LlmMetricsInterceptor.builder().registry(registry).build();

  @BeforeEach
  void start() throws Exception {
    upstream = new Upstream();
  }

  @AfterEach
  void stop() throws Exception {
    upstream.close();
  }

  private OpenAiService recipe() {
    // README recipe: theokanning
    OkHttpClient client = OpenAiService.defaultClient("sk-test", Duration.ofSeconds(60))
        .newBuilder().addInterceptor(interceptor).build();
    OpenAiApi api = OpenAiService.defaultRetrofit(client, OpenAiService.defaultObjectMapper())
        .newBuilder().baseUrl("http://api.openai.com/").build().create(OpenAiApi.class);
    OpenAiService openAi = new OpenAiService(api, client.dispatcher().executorService());
    // end of README recipe
    return openAi;
  }

  private static ChatCompletionRequest request(String model) {
    return ChatCompletionRequest.builder().model(model)
        .messages(List.of(new ChatMessage("user", "Say this is a test"))).build();
  }

  @Test
  void wholeAnswerIsRecordedWithItsTokens() {
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));

    String content = recipe().createChatCompletion(request("gpt-4o-mini"))
        .getChoices().get(0).getMessage().getContent();

    assertThat(content).isEqualTo("This is a test.");
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens("gpt-4o-mini", "input")).isEqualTo(12);
    assertThat(scrape.tokens("gpt-4o-mini", "output")).isEqualTo(5);
    assertThat(scrape.value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_provider_name=\"openai\"", "server_address=\"api.openai.com\"",
        "error_type=\"\"")).isEqualTo(1);
  }

  @Test
  void streamCannotAskForUsageSoItIsRecordedWithoutTokens() throws Exception {
    // What OpenAI answers a stream request without stream_options: no usage chunk.
    upstream.enqueue(Recorded.load("openai/test_chat_completion_streaming_not_complete.json"));

    StringBuilder text = new StringBuilder();
    for (ChatCompletionChunk chunk : recipe().streamChatCompletion(request("gpt-4"))
        .blockingIterable()) {
      for (ChatCompletionChoice choice : chunk.getChoices()) {
        if (choice.getMessage().getContent() != null) text.append(choice.getMessage().getContent());
      }
    }

    assertThat(text.toString()).isEqualTo("This is a test.");
    assertThat(upstream.take().getBody().readUtf8()).contains("\"stream\":true")
        .doesNotContain("stream_options");
    Scrape scrape = Scrape.settled(registry);   // it closes the body after the last chunk
    assertThat(scrape.calls("gpt-4", "")).isEqualTo(1);
    assertThat(scrape.value("gen_ai_client_finish_reasons_total",
        "gen_ai_response_finish_reason=\"stop\"")).isEqualTo(1);
    assertThat(scrape.value("gen_ai_client_operation_time_to_first_chunk_seconds_count",
        "gen_ai_request_model=\"gpt-4\"")).isEqualTo(1);
    assertThat(scrape.has("gen_ai_client_tokens_total", "gen_ai_request_model=\"gpt-4\""))
        .as("tokens of a stream without usage").isFalse();
  }
}

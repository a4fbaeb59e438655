package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.github.sashirestela.cleverclient.client.OkHttpClientAdapter;
import io.github.sashirestela.openai.SimpleOpenAI;
import io.github.sashirestela.openai.domain.chat.Chat;
import io.github.sashirestela.openai.domain.chat.ChatMessage.UserMessage;
import io.github.sashirestela.openai.domain.chat.ChatRequest;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's simple-openai recipe, run against the real library with its OkHttp adapter; the
 * test adds a base URL and a key, to reach plain-HTTP OpenAI on loopback.
 */
class SimpleOpenAiRecipeTest {
  private Upstream upstream;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsInterceptor interceptor =
      LlmMetricsInterceptor.builder().registry(registry).build();
  private OkHttpClient client;

  @BeforeEach
  void start() throws Exception {
    upstream = new Upstream();
    client = new OkHttpClient.Builder().addInterceptor(interceptor).build();   // the README's
  }

  @AfterEach
  void stop() throws Exception {
    upstream.close();
  }

  private SimpleOpenAI recipe() {
    // README recipe: simple-openai
    SimpleOpenAI openAi = SimpleOpenAI.builder()
        .apiKey("sk-test").baseUrl("http://api.openai.com")
        .clientAdapter(new OkHttpClientAdapter(client))   // the OkHttpClient with LlmMetricsInterceptor
        .build();
    // end of README recipe
    return openAi;
  }

  @Test
  void wholeAnswerIsRecordedWithItsTokens() {
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));

    Chat chat = recipe().chatCompletions().create(ChatRequest.builder().model("gpt-4o-mini")
        .message(UserMessage.of("Say this is a test")).build()).join();

    assertThat(chat.firstContent()).isEqualTo("This is a test.");
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens("gpt-4o-mini", "input")).isEqualTo(12);
    assertThat(scrape.tokens("gpt-4o-mini", "output")).isEqualTo(5);
    assertThat(scrape.value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_provider_name=\"openai\"", "server_address=\"api.openai.com\"",
        "error_type=\"\"")).isEqualTo(1);
  }

  @Test
  void streamAsksForUsageItselfAndIsRecordedWithItsTokens() throws Exception {
    upstream.enqueue(Recorded.load("openai/test_chat_completion_streaming.json"));

    String text = recipe().chatCompletions().createStream(ChatRequest.builder().model("gpt-4")
            .message(UserMessage.of("Say this is a test")).build()).join()
        .filter(chunk -> !chunk.getChoices().isEmpty())
        .map(Chat::firstContent).map(content -> content == null ? "" : content)
        .collect(Collectors.joining());

    assertThat(text).isEqualTo("\"This is a test.\"");
    assertThat(upstream.takeJson().at("/stream_options/include_usage").asBoolean()).isTrue();
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens("gpt-4", "input")).isEqualTo(12);
    assertThat(scrape.tokens("gpt-4", "output")).isEqualTo(5);
    assertThat(scrape.calls("gpt-4", "")).isEqualTo(1);
  }

  @Test
  void eachRetryOfTheLibraryIsACallOfItsOwn() {
    upstream.enqueue(Recorded.load(
        "openai/chat_real_error_scenarios_openai_gpt-5-nano_handles_context_length_exceeded_errors.json"));
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));

    recipe().chatCompletions().create(ChatRequest.builder().model("gpt-4o-mini")
        .message(UserMessage.of("Say this is a test")).build()).join();

    assertThat(upstream.server.getRequestCount()).isEqualTo(2);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.calls("gpt-4o-mini", "429")).isEqualTo(1);
    assertThat(scrape.calls("gpt-4o-mini", "")).isEqualTo(1);
  }
}

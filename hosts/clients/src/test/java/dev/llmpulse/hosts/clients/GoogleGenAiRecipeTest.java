package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.GenerateContentResponse;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's google-genai recipe, run as written against the real SDK. The SDK's own hook for
 * a test, {@code Client.setDefaultBaseUrls}, sends it to plain-HTTP Gemini replayed on loopback.
 */
class GoogleGenAiRecipeTest {
  private static final String MODEL = "gemini-2.5-flash";
  private static final String ANSWER =
      "gemini/chat_basic_chat_functionality_gemini_gemini-2_5-flash_can_have_a_basic_conversation.json";
  private static final String RATE_LIMITED =
      "gemini/chat_real_error_scenarios_gemini_gemini-2_5-flash_handles_context_length_exceeded_errors.json";
  private Upstream upstream;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsInterceptor interceptor =
      LlmMetricsInterceptor.builder().registry(registry).build();
  private OkHttpClient client;

  @BeforeEach
  void start() throws Exception {
    upstream = new Upstream();
    client = new OkHttpClient.Builder().addInterceptor(interceptor).build();   // the README's
    Client.setDefaultBaseUrls(Optional.of("http://generativelanguage.googleapis.com/"),
        Optional.empty());
  }

  @AfterEach
  void stop() throws Exception {
    Client.setDefaultBaseUrls(Optional.empty(), Optional.empty());
    upstream.close();
  }

  private Client recipe() {
    // README recipe: google-genai
    Client gemini = Client.builder()
        .apiKey("test-key")
        .clientOptions(ClientOptions.builder().customHttpClient(client).build())   // the OkHttpClient with LlmMetricsInterceptor
        .build();
    // end of README recipe
    return gemini;
  }

  @Test
  void generateContentIsRecordedWithItsTokens() throws Exception {
    upstream.enqueue(Recorded.load(ANSWER));

    GenerateContentResponse answer = recipe().models.generateContent(MODEL, "What's 2 + 2?", null);

    assertThat(answer.text()).isEqualTo("2 + 2 = **4**");
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens(MODEL, "input")).isEqualTo(10);
    assertThat(scrape.tokens(MODEL, "output")).isEqualTo(8 + 23);   // candidates + thoughts
    assertThat(scrape.tokens(MODEL, "reasoning")).isEqualTo(23);
    assertThat(scrape.value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_operation_name=\"generate_content\"", "gen_ai_provider_name=\"gcp.gemini\"",
        "server_address=\"generativelanguage.googleapis.com\"", "error_type=\"\"")).isEqualTo(1);
  }

  @Test
  void streamCarriesItsUsageWithoutAnOption() throws Exception {
    upstream.enqueue(Recorded.load("gemini/test_google_stream_usage_is_live_mid_stream.json"));

    StringBuilder text = new StringBuilder();
    try (ResponseStream<GenerateContentResponse> stream = recipe().models.generateContentStream(
        MODEL, "Count from 1 to 30, one number per line, digits only.", null)) {
      for (GenerateContentResponse chunk : stream) text.append(chunk.text());
    }

    assertThat(text.toString()).startsWith("1\n2\n3\n").endsWith("30");
    assertThat(upstream.take().getRequestLine())
        .contains("/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.tokens(MODEL, "input")).isEqualTo(18);
    assertThat(scrape.tokens(MODEL, "output")).isEqualTo(80 + 35);
    assertThat(scrape.value("gen_ai_client_operation_time_to_first_chunk_seconds_count",
        "gen_ai_request_model=\"" + MODEL + "\"")).isEqualTo(1);
  }

  @Test
  void retriedCallIsOneCallWithTheFinalAnswer() throws Exception {
    upstream.enqueue(Recorded.load(RATE_LIMITED));
    upstream.enqueue(Recorded.load(ANSWER));

    recipe().models.generateContent(MODEL, "What's 2 + 2?", null);

    // The SDK retries inside OkHttp (an interceptor after the application's): one call, two tries.
    assertThat(upstream.server.getRequestCount()).isEqualTo(2);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.calls(MODEL, "")).isEqualTo(1);
    assertThat(scrape.has("gen_ai_client_operation_duration_seconds_count", "error_type=\"429\""))
        .isFalse();
  }

  @Test
  void asANetworkInterceptorEachTryIsACall() throws Exception {
    upstream.enqueue(Recorded.load(RATE_LIMITED));
    upstream.enqueue(Recorded.load(ANSWER));
    client = new OkHttpClient.Builder().addNetworkInterceptor(interceptor).build();

    recipe().models.generateContent(MODEL, "What's 2 + 2?", null);

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.calls(MODEL, "429")).isEqualTo(1);
    assertThat(scrape.calls(MODEL, "")).isEqualTo(1);
    assertThat(scrape.tokens(MODEL, "input")).isEqualTo(10);
  }
}

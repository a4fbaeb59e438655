package dev.llmpulse.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.models.messages.RawMessageStreamEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockWebServer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * What /metrics serves after the SDK made every recorded Anthropic call with the default settings
 * (bundled prices): it passes {@code promtool check metrics} and carries the calls' cost. The
 * client is built exactly as the README's recipe says.
 */
class ExpositionTest {
  private static final String CACHE =
      "anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json";

  @Test
  void readmeRecipeRecordsEveryRecordedCallAndTheScrapePassesPromtool() throws Exception {
    MockWebServer server = new MockWebServer();
    server.start();
    PrometheusRegistry registry = new PrometheusRegistry();
    // fromEnv() reads ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL, or these system properties.
    System.setProperty("anthropic.apiKey", "sk-ant-test");
    System.setProperty("anthropic.baseUrl", server.url("/").toString());
    try {
      // The README recipe:
      AnthropicClient client = AnthropicOkHttpClient.builder()
          .fromEnv()
          .addInterceptor(LlmMetricsAnthropicInterceptor.builder().registry(registry).build())
          .maxRetries(0) // (not in the recipe: the recorded 529 is replayed once)
          .build();

      server.enqueue(Fixture.load(CACHE, 0).mockResponse());
      server.enqueue(Fixture.load(CACHE, 1).mockResponse());
      client.messages().create(Sdk.message("claude-haiku-4-5-20251001"));
      client.messages().create(Sdk.message("claude-haiku-4-5-20251001"));
      stream(server, client, "anthropic/test_anthropic_message_streaming_legacy.json", "claude-3-haiku-20240307");
      stream(server, client, "anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.json",
          "claude-haiku-4-5-20251001");
      stream(server, client, "anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_without_parameters_in_multi-turn_streaming_conversations.json",
          "claude-haiku-4-5-20251001");
      server.enqueue(Fixture.load(
          "anthropic/chat_function_calling_anthropic_claude-3-5-haiku-20241022_can_use_tools_without_parameters.json", 0)
          .mockResponse());
      assertThat(catchThrowable(() -> client.messages().create(Sdk.message("claude-3-5-haiku-20241022"))))
          .isInstanceOf(AnthropicServiceException.class);
      server.enqueue(Fixture.load("anthropic/test_sync_messages_stream_api_error.json", 0).mockResponse());
      assertThat(catchThrowable(() -> client.messages().create(Sdk.message("invalid-model-name"))))
          .isInstanceOf(AnthropicServiceException.class);
      client.close();
    } finally {
      System.clearProperty("anthropic.apiKey");
      System.clearProperty("anthropic.baseUrl");
      server.shutdown();
    }

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(7);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "")).isEqualTo(5);
    // claude-haiku-4-5 at the bundled (LiteLLM 2026-07-24) rates: $5 / 1M output, $1.25 / 1M cache write.
    assertThat(scrape.counter("gen_ai_client_cost_usd", "gen_ai_request_model", "claude-haiku-4-5-20251001",
        "gen_ai_token_type", "cache_creation"))
        .as("the one cache write: 7351 tokens").isCloseTo(7351 * 1.25e-6, Offset.offset(1e-12));
    assertThat(scrape.counter("gen_ai_client_cost_usd", "gen_ai_request_model", "claude-haiku-4-5-20251001",
        "gen_ai_token_type", "output"))
        .as("output of the two cache calls and the two tool streams: 4 + 4 + 75 + 41")
        .isCloseTo((4 + 4 + 75 + 41) * 5e-6, Offset.offset(1e-12));

    String exposition = scrape.text();
    assertThat(exposition).contains("gen_ai_client_cost_usd_total{");
    File promtool = findPromtool();
    if (promtool == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true but promtool is not installed: .ci/run installs Debian's prometheus package");
    }
    assumeTrue(promtool != null, "promtool not found: skipped the lint (apt-get install -y prometheus)");
    Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("promtool check metrics said:\n" + output).isZero();
  }

  private static void stream(MockWebServer server, AnthropicClient client, String fixture, String model) {
    server.enqueue(Fixture.load(fixture, 0).mockResponse());
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(Sdk.message(model))) {
      stream.stream().count();
    }
  }

  private static File findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "promtool");
      if (candidate.canExecute()) return candidate;
    }
    return null;
  }
}

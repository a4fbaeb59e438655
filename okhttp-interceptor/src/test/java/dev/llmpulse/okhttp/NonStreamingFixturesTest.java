package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every non-streaming recorded response of ../fixtures, replayed through MockWebServer under its
 * recorded host name: the application reads the recorded bytes, and every metric carries the
 * exact labels and values the recording implies.
 */
class NonStreamingFixturesTest {
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

  static ExpectedCall at(String fixture, int interaction) {
    return ExpectedCall.at(fixture, interaction);
  }

  static Stream<ExpectedCall> recordings() {
    return Stream.of(
        at("openai/test_chat_completion_with_content.json", 0)
            .call("chat", "openai", "api.openai.com")
            .models("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
            .tokens(12, 5, 0, 0, 0).finish("stop"),
        at("openai/mirascope__test_caching_system_message__openai_gpt_4o_completions.json", 0)
            .call("chat", "openai", "api.openai.com")
            .models("gpt-4o", "gpt-4o-2024-08-06")
            .tokens(3659, 28, 0, 0, 0).finish("stop"),
        at("openai/mirascope__test_caching_system_message__openai_gpt_4o_completions.json", 1)
            .call("chat", "openai", "api.openai.com")
            .models("gpt-4o", "gpt-4o-2024-08-06")
            .tokens(3663, 117, 3584, 0, 0).finish("stop"),
        at("openai/test_embeddings.json", 0)
            .call("embeddings", "openai", "api.openai.com")
            .models("text-embedding-3-small", "text-embedding-3-small")
            .tokens(4, 0, 0, 0, 0),
        at("openai/test_chat_completion_404.json", 0)
            .call("chat", "openai", "api.openai.com")
            .models("this-model-does-not-exist", "").error("404"),
        at("openai/chat_real_error_scenarios_openai_gpt-5-nano_handles_context_length_exceeded_errors.json", 0)
            .call("chat", "openai", "api.openai.com")
            .models("gpt-5-nano", "").error("429"),
        at("anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json", 0)
            .call("chat", "anthropic", "api.anthropic.com")
            .models("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001")
            .tokens(10 + 7351, 4, 0, 7351, 0).finish("end_turn"),
        at("anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json", 1)
            .call("chat", "anthropic", "api.anthropic.com")
            .models("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001")
            .tokens(10 + 7351, 4, 7351, 0, 0).finish("end_turn"),
        at("anthropic/chat_function_calling_anthropic_claude-3-5-haiku-20241022_can_use_tools_without_parameters.json", 0)
            .call("chat", "anthropic", "api.anthropic.com")
            .models("claude-3-5-haiku-20241022", "").error("529"),
        at("anthropic/test_sync_messages_stream_api_error.json", 0)
            .call("chat", "anthropic", "api.anthropic.com")
            .models("invalid-model-name", "").error("404"),
        at("gemini/chat_basic_chat_functionality_gemini_gemini-2_5-flash_can_have_a_basic_conversation.json", 0)
            .call("generate_content", "gcp.gemini", "generativelanguage.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(10, 8 + 23, 0, 0, 23).finish("STOP"),
        at("gemini/test_client_spans.json", 0)
            .call("generate_content", "gcp.gemini", "generativelanguage.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(5, 877 + 1058, 0, 0, 1058).finish("STOP"),
        at("gemini/chat_real_error_scenarios_gemini_gemini-2_5-flash_handles_context_length_exceeded_errors.json", 0)
            .call("generate_content", "gcp.gemini", "generativelanguage.googleapis.com")
            .models("gemini-2.5-flash", "").error("429"),
        at("azure/chat_real_error_scenarios_azure_grok-4-1-fast-non-reasoning_handles_context_length_exceeded_errors.json", 0)
            .call("chat", "azure.ai.inference", "rubyllm.services.ai.azure.com")
            .models("grok-4-1-fast-non-reasoning", "").error("429"),
        at("deepseek/chat_deepseek_thinking_control_returns_reasoning_content_for_effort_high.json", 0)
            .call("chat", "deepseek", "api.deepseek.com")
            .models("deepseek-v4-flash", "deepseek-v4-flash")
            .tokens(97, 17, 0, 0, 15).finish("stop"),
        at("mistral/chat_basic_chat_functionality_mistral_mistral-small-latest_can_have_a_basic_conversation.json", 0)
            .call("chat", "mistral_ai", "api.mistral.ai")
            .models("mistral-small-latest", "mistral-small-latest")
            .tokens(23, 9, 0, 0, 0).finish("stop"),
        at("ollama/ollama_gemma3_4b.json", 0)
            .call("chat", "_OTHER", "localhost")
            .models("gemma3:4b", "gemma3:4b")
            .tokens(21, 16, 0, 0, 0).finish("stop"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordings")
  void replayedRecordingIsReadUnchangedAndRecordedExactly(ExpectedCall expected) throws IOException {
    Fixture.Interaction recorded = expected.recorded();
    server.enqueue(recorded.mockResponse());
    OkHttpClient client = new OkHttpClient.Builder()
        .dns(Fixture.LOOPBACK)
        .addInterceptor(LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).build())
        .build();

    byte[] read;
    try (Response response = client.newCall(recorded.request(server)).execute()) {
      assertThat(response.code()).isEqualTo(recorded.status);
      read = response.body().bytes();
    }

    assertThat(read).isEqualTo(recorded.decodedBody());
    Scrape scrape = Scrape.of(registry);
    expected.assertRecordedOnce(scrape);
    expected.assertUsageAndFinishReasons(scrape);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).isZero();
    if (expected.tokens != null) {
      assertThat(scrape.counter("gen_ai_client_unpriced_operations", expected.labels()))
          .as("CostModel.NONE prices nothing: the call is counted as unpriced").isEqualTo(1);
    }
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .as("no stream, no time to first chunk").isZero();
  }
}

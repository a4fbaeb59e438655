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
            .tokens(21, 16, 0, 0, 0).finish("stop"),
        // Cohere v2: billable units (8/8), not the raw tokens (503/11) nor cached_tokens.
        at("cohere/chat_basic_chat_functionality_cohere_command-a-03-2025_can_have_a_basic_conversation.json", 0)
            .call("chat", "cohere", "api.cohere.com").models("command-a-03-2025", "")
            .tokens(8, 8, 0, 0, 0).finish("COMPLETE"),
        // Ollama's native API, "stream": false.
        at("ollama/test_ollama_chat_legacy.json", 0)
            .call("chat", "_OTHER", "127.0.0.1").models("llama3", "llama3")
            .tokens(17, 66, 0, 0, 0).finish("stop"),
        at("ollama/test_ollama_generation_legacy.json", 0)
            .call("text_completion", "_OTHER", "127.0.0.1").models("llama3", "llama3")
            .tokens(17, 63, 0, 0, 0).finish("stop"),
        // Ollama's legacy /api/embeddings: an embeddings call without usage or model.
        at("ollama/test_ollama_embeddings_legacy.json", 0)
            .call("embeddings", "_OTHER", "127.0.0.1").models("llama3", ""),
        // Gemini embeddings: model from the path, input from usageMetadata when present.
        at("gemini/embedding_multimodal_embeddings_gemini_gemini-embedding-2_embeds_text_with_custom_dimensions.json", 0)
            .call("embeddings", "gcp.gemini", "generativelanguage.googleapis.com")
            .models("gemini-embedding-2", "").tokens(8, 0, 0, 0, 0),
        at("gemini/embedding_basic_functionality_gemini_gemini-embedding-001_can_handle_a_single_text_with_custom_dimensions.json", 0)
            .call("embeddings", "gcp.gemini", "generativelanguage.googleapis.com")
            .models("gemini-embedding-001", ""),
        at("vertex-ai/test_google_task_prefix_vertex.json", 0)
            .call("embeddings", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("gemini-embedding-2", "").tokens(11, 0, 0, 0, 0),
        // Gemini on Vertex AI: publishers/google/models/{m}:generateContent.
        at("vertex-ai/chat_basic_chat_functionality_vertexai_gemini-2_5-flash_can_have_a_basic_conversation.json", 0)
            .call("generate_content", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(9, 8 + 19, 0, 0, 19).finish("STOP"),
        // Azure OpenAI v1 path /openai/v1/responses, on an Azure OpenAI host and on AI Foundry.
        at("azure-openai/test_azure_responses_reasoning_context_default_wire_contract[gpt-5.4].json", 0)
            .call("chat", "azure.ai.openai", "pydantic-ai-realtime-dev.openai.azure.com")
            .models("gpt-5.4", "gpt-5.4").tokens(18, 5, 0, 0, 0).finish("completed"),
        at("azure-openai/chat_responses_protocol_dialects_with_azure_gpt-5-nano_chats_on_the_openai_v1_responses_endpoint.json", 0)
            .call("chat", "azure.ai.openai", "rubyllm.services.ai.azure.com")
            .models("gpt-5-nano", "gpt-5-nano").tokens(18, 129, 0, 0, 64).finish("completed"),
        // No public recording of Claude on Vertex AI exists: the recorded Anthropic answer served
        // at :rawPredict (the body is Anthropic Messages; the model is only in the path).
        at("anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json", 1)
            .replayedAt("https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/"
                + "claude-haiku-4-5@20251001:rawPredict", ExpectedCall::asVertexAnthropic)
            .call("chat", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("claude-haiku-4-5@20251001", "claude-haiku-4-5-20251001")
            .tokens(10 + 7351, 4, 7351, 0, 0).finish("end_turn"),
        // No public recording of Azure OpenAI's /openai/v1/chat/completions exists: a recorded
        // OpenAI answer served there.
        at("openai/test_chat_completion_with_content.json", 0)
            .replayedAt("https://my-resource.openai.azure.com/openai/v1/chat/completions", body -> body)
            .call("chat", "azure.ai.openai", "my-resource.openai.azure.com")
            .models("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
            .tokens(12, 5, 0, 0, 0).finish("stop"));
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
    try (Response response = client.newCall(expected.request(server)).execute()) {
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

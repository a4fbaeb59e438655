package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every streaming recording of ../fixtures replayed through MockWebServer and read the way an
 * SSE client reads it, line by line: the app reads the recorded bytes, and the call is recorded
 * once at the end of the stream with the exact usage, models, finish reasons and chunk counts.
 */
class StreamingFixturesTest {
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

  static Stream<ExpectedCall> streams() {
    return Stream.of(
        at("openai/test_chat_completion_streaming.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-4", "gpt-4-0613")
            .tokens(12, 5, 0, 0, 0).finish("stop").contentChunks(5),
        at("openai/test_chat_completion_streaming_not_complete.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-4", "gpt-4-0613")
            .finish("stop").contentChunks(5),
        at("openai/test_chat_stream_with_include_usage_option.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
            .tokens(22, 3, 0, 0, 0).finish("stop").contentChunks(3),
        at("openai/test_responses_create_streaming[content_mode0].json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
            .tokens(22, 6, 0, 0, 0).finish("completed").contentChunks(5),
        at("anthropic/test_anthropic_message_streaming_legacy.json", 0)
            .call("chat", "anthropic", "api.anthropic.com")
            .models("claude-3-haiku-20240307", "claude-3-haiku-20240307")
            .tokens(17, 171, 0, 0, 0).finish("end_turn").contentChunks(70),
        at("azure-openai/test_chat_streaming.json", 0)
            .call("chat", "azure.ai.openai", "traceloop-stg.openai.azure.com")
            .models("openllmetry-testing", "gpt-35-turbo").finish("stop").contentChunks(24),
        at("azure-openai/test_chat_streaming.json", 1)
            .call("chat", "azure.ai.openai", "traceloop-stg.openai.azure.com")
            .models("openllmetry-testing", "gpt-4.1-mini-2025-04-14").finish("stop").contentChunks(22),
        at("azure-openai/test_chat_streaming.json", 2)
            .call("chat", "azure.ai.openai", "traceloop-stg.openai.azure.com")
            .models("openllmetry-testing", "gpt-4.1-mini-2025-04-14").finish("stop").contentChunks(40),
        at("azure-openai/test_chat_streaming.json", 3)
            .call("chat", "azure.ai.openai", "traceloop-stg.openai.azure.com")
            .models("openllmetry-testing", "gpt-4.1-mini-2025-04-14").finish("stop").contentChunks(38),
        at("deepseek/test_streaming_with_api_usage_capture.json", 0)
            .call("chat", "deepseek", "api.deepseek.com").models("deepseek-chat", "deepseek-chat")
            .tokens(12, 89, 0, 0, 0).finish("stop").contentChunks(88),
        at("gemini/test_google_stream_usage_is_live_mid_stream.json", 0)
            .call("generate_content", "gcp.gemini", "generativelanguage.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(18, 80 + 35, 0, 0, 35).finish("STOP").contentChunks(3),
        // Groq: usage only in the last chunk's x_groq.usage (no top-level usage).
        at("groq/test_chat_streaming_legacy.json", 0)
            .call("chat", "groq", "api.groq.com").models("llama3-8b-8192", "llama3-8b-8192")
            .tokens(18, 73, 0, 0, 0).finish("stop").contentChunks(72),
        // Groq with both x_groq.usage and usage (same block, counted once); reasoning deltas and
        // one tool-call chunk are content.
        at("groq/test_tool_use_failed_error_streaming.json", 1)
            .call("chat", "groq", "api.groq.com").models("openai/gpt-oss-120b", "openai/gpt-oss-120b")
            .tokens(304, 49, 0, 0, 23).finish("tool_calls").contentChunks(22 + 1),
        at("groq/test_tool_use_failed_error_streaming.json", 2)
            .call("chat", "groq", "api.groq.com").models("openai/gpt-oss-120b", "openai/gpt-oss-120b")
            .tokens(339, 58, 0, 0, 38).finish("stop").contentChunks(37 + 11),
        // n = 2: each choice's finish reason counts once.
        at("openai/test_chat_completion_multiple_choices_streaming.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
            .tokens(26, 104, 0, 0, 0).finish("stop", "stop").contentChunks(104),
        // Two parallel tool calls and no text: every tool-call delta is a content chunk.
        at("openai/test_chat_completion_multiple_tools_streaming_with_content.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
            .tokens(75, 51, 0, 0, 0).finish("tool_calls").contentChunks(15),
        // OpenRouter repeats the finish reason on the usage chunk: counted once.
        at("openrouter/chat_streaming_responses_openrouter_claude-haiku-4-5_supports_streaming_responses.json", 0)
            .call("chat", "openrouter", "openrouter.ai")
            .models("anthropic/claude-haiku-4.5", "anthropic/claude-4.5-haiku-20251001")
            .tokens(15, 9, 0, 0, 0).finish("stop").contentChunks(1),
        // Tool-call chunks whose only delta is empty arguments "" carry nothing: 7 - 2.
        at("openrouter/chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.json", 0)
            .call("chat", "openrouter", "openrouter.ai")
            .models("anthropic/claude-haiku-4.5", "anthropic/claude-4.5-haiku-20251001")
            .tokens(633, 75, 0, 0, 0).finish("tool_calls").contentChunks(5),
        // Anthropic: the content_block_start of a tool_use block is output, then 6 non-empty
        // input_json_delta (the first delta is "").
        at("anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.json", 0)
            .call("chat", "anthropic", "api.anthropic.com")
            .models("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001")
            .tokens(633, 75, 0, 0, 0).finish("tool_use").contentChunks(1 + 6),
        // The only output is a tool_use block with one empty input delta: still one chunk.
        at("anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_without_parameters_in_multi-turn_streaming_conversations.json", 0)
            .call("chat", "anthropic", "api.anthropic.com")
            .models("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001")
            .tokens(579, 41, 0, 0, 0).finish("tool_use").contentChunks(1),
        // Gemini: a chunk whose only part is a functionCall is a content chunk.
        at("gemini/chat_function_calling_gemini_gemini-2_5-flash_can_use_tools_with_multi-turn_streaming_conversations.json", 0)
            .call("generate_content", "gcp.gemini", "generativelanguage.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(103, 30 + 43, 0, 0, 43).finish("STOP").contentChunks(1),
        // Responses API: the function_call item opens (1) and its 15 argument deltas.
        at("openai/chat_function_calling_openai_gpt-5-nano_can_use_tools_with_multi-turn_streaming_conversations.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-5-nano", "gpt-5-nano-2025-08-07")
            .tokens(87, 339, 0, 0, 256).finish("completed").contentChunks(1 + 15),
        // Responses API: 320 reasoning-summary deltas and one output-text delta.
        at("openai/mirascope__test_call_with_thinking__openai_gpt_5_responses_stream.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-5", "gpt-5-2025-08-07")
            .tokens(32, 839, 0, 0, 832).finish("completed").contentChunks(320 + 1),
        // Responses API ending in response.incomplete: complete stream, its reason is the finish.
        at("openai/mirascope__test_max_tokens__openai_gpt_4o_responses_stream.json", 0)
            .call("chat", "openai", "api.openai.com").models("gpt-4o", "gpt-4o-2024-08-06")
            .tokens(14, 50, 0, 0, 0).finish("max_output_tokens").contentChunks(50),
        // xAI's Responses API: cached input and reasoning summaries.
        at("xai/chat_streaming_responses_xai_grok-4-1-fast-non-reasoning_supports_streaming_responses.json", 0)
            .call("chat", "x_ai", "api.x.ai").models("grok-4.3", "grok-4.3")
            .tokens(199, 160, 128, 0, 152).finish("completed").contentChunks(13 + 8),
        // Azure OpenAI v1 path /openai/v1/responses on an AI Foundry host (services.ai.azure.com
        // serves Azure AI Inference too; the /openai/ path makes it Azure OpenAI).
        at("azure-openai/chat_responses_protocol_dialects_with_azure_gpt-5-nano_streams_responses.json", 0)
            .call("chat", "azure.ai.openai", "rubyllm.services.ai.azure.com")
            .models("gpt-5-nano", "gpt-5-nano")
            .tokens(18, 120, 0, 0, 64).finish("completed").contentChunks(1),
        // Cohere v2: billed units, 16 content-delta events, message-end then [DONE].
        at("cohere/chat_streaming_responses_cohere_command-a-03-2025_supports_streaming_responses.json", 0)
            .call("chat", "cohere", "api.cohere.com").models("command-a-03-2025", "")
            .tokens(7, 21, 0, 0, 0).finish("COMPLETE").contentChunks(16),
        // Cohere v2 tool call: 13 tool-plan deltas, the tool-call-start, 24 argument deltas.
        at("cohere/chat_function_calling_cohere_command-a-03-2025_can_use_tools_with_multi-turn_streaming_conversations.json", 0)
            .call("chat", "cohere", "api.cohere.com").models("command-a-03-2025", "")
            .tokens(98, 35, 0, 0, 0).finish("TOOL_CALL").contentChunks(13 + 1 + 24),
        // Cohere v2: the only output is a tool-call-start (no arguments): one chunk.
        at("cohere/chat_function_calling_cohere_command-a-03-2025_can_use_tools_without_parameters_in_multi-turn_streaming_conversations.json", 0)
            .call("chat", "cohere", "api.cohere.com").models("command-a-03-2025", "")
            .tokens(68, 8, 0, 0, 0).finish("TOOL_CALL").contentChunks(1),
        // Gemini on Vertex AI: publishers/google/models/{m}:streamGenerateContent.
        at("vertex-ai/chat_streaming_responses_vertexai_gemini-2_5-flash_supports_streaming_responses.json", 0)
            .call("generate_content", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(7, 7 + 25, 0, 0, 25).finish("STOP").contentChunks(1),
        at("vertex-ai/chat_function_calling_vertexai_gemini-2_5-flash_can_use_tools_with_multi-turn_streaming_conversations.json", 0)
            .call("generate_content", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(70, 17 + 43, 0, 0, 43).finish("STOP").contentChunks(1),
        // Vertex chunks before the last carry usageMetadata without counts.
        at("vertex-ai/chat_function_calling_vertexai_gemini-2_5-flash_can_use_tools_with_multi-turn_streaming_conversations.json", 1)
            .call("generate_content", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("gemini-2.5-flash", "gemini-2.5-flash")
            .tokens(170, 22, 0, 0, 0).finish("STOP").contentChunks(3),
        // Ollama's native API: NDJSON, the last line "done": true with the counts.
        at("ollama/test_ollama_streaming_chat_legacy.json", 0)
            .call("chat", "_OTHER", "127.0.0.1").models("llama3", "llama3")
            .tokens(17, 50, 0, 0, 0).finish("stop").contentChunks(49),
        at("ollama/test_ollama_streaming_generation_legacy.json", 0)
            .call("text_completion", "_OTHER", "127.0.0.1").models("llama3", "llama3")
            .tokens(17, 71, 0, 0, 0).finish("stop").contentChunks(70),
        // No public recording of Claude on Vertex AI exists: the recorded Anthropic streams served
        // at :streamRawPredict (the body is Anthropic Messages; the model is only in the path).
        at("anthropic/test_anthropic_message_streaming_legacy.json", 0)
            .replayedAt(VERTEX + "claude-3-haiku@20240307:streamRawPredict", ExpectedCall::asVertexAnthropic)
            .call("chat", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("claude-3-haiku@20240307", "claude-3-haiku-20240307")
            .tokens(17, 171, 0, 0, 0).finish("end_turn").contentChunks(70),
        at("anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_without_parameters_in_multi-turn_streaming_conversations.json", 0)
            .replayedAt(VERTEX + "claude-haiku-4-5@20251001:streamRawPredict", ExpectedCall::asVertexAnthropic)
            .call("chat", "gcp.vertex_ai", "aiplatform.googleapis.com")
            .models("claude-haiku-4-5@20251001", "claude-haiku-4-5-20251001")
            .tokens(579, 41, 0, 0, 0).finish("tool_use").contentChunks(1),
        // No public recording of Azure OpenAI's /openai/v1/chat/completions exists: a recorded
        // OpenAI stream served there (Groq's recordings above use the same path on its host).
        at("openai/test_chat_completion_streaming.json", 0)
            .replayedAt("https://my-resource.openai.azure.com/openai/v1/chat/completions", body -> body)
            .call("chat", "azure.ai.openai", "my-resource.openai.azure.com").models("gpt-4", "gpt-4-0613")
            .tokens(12, 5, 0, 0, 0).finish("stop").contentChunks(5));
  }

  private static final String VERTEX =
      "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/";

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void streamIsReadUnchangedAndRecordedOnceAtItsEnd(ExpectedCall expected) throws IOException {
    Fixture.Interaction recorded = expected.recorded();
    server.enqueue(recorded.mockResponse());
    OkHttpClient client = new OkHttpClient.Builder()
        .dns(Fixture.LOOPBACK)
        .addInterceptor(LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).build())
        .build();

    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (Response response = client.newCall(expected.request(server)).execute()) {
      BufferedSource source = response.body().source();
      while (!source.exhausted()) {
        long newline = source.indexOf((byte) '\n');
        byte[] line = newline == -1 ? source.readByteArray() : source.readByteArray(newline + 1);
        read.write(line);
        if (newline != -1) {
          assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds"))
              .as("nothing is recorded while the stream is still being read").isZero();
        }
      }
    }

    assertThat(read.toByteArray()).isEqualTo(recorded.decodedBody());
    Scrape scrape = Scrape.of(registry);
    expected.assertRecordedOnce(scrape);
    expected.assertUsageAndFinishReasons(scrape);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).as("a complete stream is valid").isZero();
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds", expected.labels()))
        .isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds"))
        .as("one gap between each pair of content chunks").isEqualTo(expected.contentChunks - 1);
  }
}

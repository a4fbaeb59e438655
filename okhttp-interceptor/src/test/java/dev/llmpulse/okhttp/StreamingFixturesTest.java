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
            .tokens(18, 80 + 35, 0, 0, 35).finish("STOP").contentChunks(3));
  }

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
    try (Response response = client.newCall(recorded.request(server)).execute()) {
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

package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streams of the newer formats that end without being an answer, replayed with their recorded
 * headers: a real Groq error event, and recorded Ollama NDJSON and Cohere streams cut before
 * their terminator. The app reads every byte; the call is recorded once with the verdict's
 * error type, and what arrived before the cut (chunks, model) still counts.
 */
class RecordedGhostsTest {
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

  /** A recording served with {@code change} applied to its body, and its verdict. */
  static final class Ghost {
    final ExpectedCall expected;
    final UnaryOperator<String> change;
    final String reason;

    Ghost(ExpectedCall expected, UnaryOperator<String> change, String reason) {
      this.expected = expected;
      this.change = change;
      this.reason = reason;
    }

    @Override
    public String toString() {
      return expected + " -> " + reason;
    }
  }

  /** Without its last {@code n} lines. */
  static UnaryOperator<String> dropLastLines(int n) {
    return body -> {
      String cut = body;
      for (int i = 0; i < n; i++) cut = cut.substring(0, cut.lastIndexOf('\n', cut.length() - 2) + 1);
      return cut;
    };
  }

  static Stream<Ghost> ghosts() {
    return Stream.of(
        // Recorded as is: Groq answered 200, streamed 93 reasoning deltas, then an error event.
        new Ghost(ExpectedCall.at("groq/test_tool_use_failed_error_streaming.json", 0)
            .call("chat", "groq", "api.groq.com").models("openai/gpt-oss-120b", "openai/gpt-oss-120b")
            .error("stream_error").contentChunks(93), body -> body, "stream_error_event"),
        // Ollama NDJSON without its "done": true line: no usage (it is on that line), no reason.
        new Ghost(ExpectedCall.at("ollama/test_ollama_streaming_chat_legacy.json", 0)
            .call("chat", "_OTHER", "127.0.0.1").models("llama3", "llama3")
            .error("incomplete_stream").contentChunks(49), dropLastLines(1), "stream_incomplete"),
        new Ghost(ExpectedCall.at("ollama/test_ollama_streaming_generation_legacy.json", 0)
            .call("text_completion", "_OTHER", "127.0.0.1").models("llama3", "llama3")
            .error("incomplete_stream").contentChunks(30), body -> body.substring(0, nthLineEnd(body, 30)),
            "stream_incomplete"),
        // Cohere v2 without message-end (and the [DONE] after it).
        new Ghost(ExpectedCall.at("cohere/chat_streaming_responses_cohere_command-a-03-2025_supports_streaming_responses.json", 0)
            .call("chat", "cohere", "api.cohere.com").models("command-a-03-2025", "")
            .error("incomplete_stream").contentChunks(16),
            body -> body.substring(0, body.indexOf("event: message-end")), "stream_incomplete"));
  }

  /** The index just after the {@code n}th newline. */
  static int nthLineEnd(String body, int n) {
    int at = -1;
    for (int i = 0; i < n; i++) at = body.indexOf('\n', at + 1);
    return at + 1;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ghosts")
  void streamIsReadUnchangedAndRecordedOnceWithItsVerdict(Ghost ghost) throws IOException {
    ExpectedCall expected = ghost.expected;
    Fixture.Interaction recorded = expected.recorded();
    byte[] served = ghost.change.apply(new String(recorded.decodedBody(), StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);
    server.enqueue(recorded.mockResponse(served));
    OkHttpClient client = new OkHttpClient.Builder()
        .dns(Fixture.LOOPBACK)
        .addInterceptor(LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).build())
        .build();

    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (Response response = client.newCall(expected.request(server)).execute()) {
      java.io.InputStream in = response.body().byteStream();
      byte[] buffer = new byte[512];
      for (int n; (n = in.read(buffer)) != -1; ) read.write(buffer, 0, n);
    }

    assertThat(read.toByteArray()).isEqualTo(served);
    Scrape scrape = Scrape.of(registry);
    expected.assertRecordedOnce(scrape);
    expected.assertUsageAndFinishReasons(scrape);
    assertThat(scrape.counter("gen_ai_client_invalid_responses", expected.labels("reason", ghost.reason)))
        .isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds", expected.labels()))
        .as("the chunks that arrived were timed").isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds"))
        .isEqualTo(expected.contentChunks - 1);
  }
}

package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.ValidationMode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ghost successes: HTTP 200 responses that are not a usable answer, made from real recordings
 * cut or corrupted. In OBSERVE mode the app reads them unchanged and the verdict is counted; in
 * ENFORCE mode the same inputs fail the call with a named exception.
 */
class GhostSuccessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPENAI_CHAT = "https://api.openai.com/v1/chat/completions";
  private static final String OPENAI_RESPONSES = "https://api.openai.com/v1/responses";
  private static final String ANTHROPIC = "https://api.anthropic.com/v1/messages";
  private static final String GEMINI =
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent";
  private static final String GEMINI_SSE =
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";

  /** One corrupted recording and the verdict it must get. */
  static final class Case {
    final String name;
    final String url;
    final boolean stream;
    final String contentType;
    final byte[] body;
    final InvalidResponseReason reason; // null: a valid answer

    Case(String name, String url, boolean stream, String contentType, String body,
        InvalidResponseReason reason) {
      this.name = name;
      this.url = url;
      this.stream = stream;
      this.contentType = contentType;
      this.body = body.getBytes(StandardCharsets.UTF_8);
      this.reason = reason;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static String body(String fixture) {
    try {
      return new String(Fixture.load(fixture).first().decodedBody(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String edit(String json, java.util.function.Consumer<ObjectNode> change) {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(json);
      change.accept(node);
      return JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A stream without its last {@code n} events. */
  static String dropLastEvents(String stream, String separator, int n) {
    String trimmed = stream;
    for (int i = 0; i < n; i++) {
      int end = trimmed.lastIndexOf(separator, trimmed.length() - separator.length() - 1);
      trimmed = trimmed.substring(0, end + separator.length());
    }
    return trimmed;
  }

  static Stream<Case> cases() {
    String chat = body("openai/test_chat_completion_with_content.json");
    String anthropic = body("anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.json");
    String gemini = body("gemini/chat_basic_chat_functionality_gemini_gemini-2_5-flash_can_have_a_basic_conversation.json");
    String chatStream = body("openai/test_chat_completion_streaming.json");
    String anthropicStream = body("anthropic/test_anthropic_message_streaming_legacy.json");
    String responsesStream = body("openai/test_responses_create_streaming[content_mode0].json");
    String geminiStream = body("gemini/test_google_stream_usage_is_live_mid_stream.json");
    String completedEvent = responsesStream.substring(responsesStream.lastIndexOf("data: ") + 6).trim();
    String responseObject;
    try {
      responseObject = JSON.writeValueAsString(JSON.readTree(completedEvent).get("response"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String json = "application/json";
    String sse = "text/event-stream; charset=utf-8";
    return Stream.of(
        new Case("recorded chat completion", OPENAI_CHAT, false, json, chat, null),
        new Case("DeepSeek-style blank lines before the JSON", OPENAI_CHAT, false, json, "\n\n\n" + chat, null),
        new Case("empty 200", OPENAI_CHAT, false, json, "", InvalidResponseReason.EMPTY_BODY),
        new Case("gateway HTML page", OPENAI_CHAT, false, "text/html; charset=utf-8",
            "<html><head><title>504 Gateway Time-out</title></head></html>", InvalidResponseReason.UNEXPECTED_CONTENT_TYPE),
        new Case("chat cut in half", OPENAI_CHAT, false, json, chat.substring(0, chat.length() / 2),
            InvalidResponseReason.TRUNCATED_JSON),
        new Case("chat with a corrupted byte", OPENAI_CHAT, false, json, chat.replaceFirst("\"choices\"", "\"choices\" x"),
            InvalidResponseReason.INVALID_JSON),
        new Case("chat without choices", OPENAI_CHAT, false, json, edit(chat, n -> n.remove("choices")),
            InvalidResponseReason.MISSING_CHOICES),
        new Case("chat with empty choices", OPENAI_CHAT, false, json, edit(chat, n -> n.putArray("choices")),
            InvalidResponseReason.EMPTY_CHOICES),
        new Case("Anthropic message without content", ANTHROPIC, false, json, edit(anthropic, n -> n.remove("content")),
            InvalidResponseReason.MISSING_CHOICES),
        new Case("Gemini without candidates", GEMINI, false, json, edit(gemini, n -> n.remove("candidates")),
            InvalidResponseReason.MISSING_CHOICES),
        new Case("Gemini blocked prompt is an answer", GEMINI, false, json, edit(gemini, n -> {
          n.remove("candidates");
          n.putObject("promptFeedback").put("blockReason", "SAFETY");
        }), null),
        new Case("Responses API object with status failed", OPENAI_RESPONSES, false, json,
            responseObject.replace("\"status\":\"completed\"", "\"status\":\"failed\""), InvalidResponseReason.RESPONSE_FAILED),
        new Case("Responses API object completed", OPENAI_RESPONSES, false, json, responseObject, null),
        new Case("chat stream without [DONE]", OPENAI_CHAT, true, sse, dropLastEvents(chatStream, "\n\n", 1),
            InvalidResponseReason.STREAM_INCOMPLETE),
        new Case("chat stream cut mid-event", OPENAI_CHAT, true, sse, chatStream.substring(0, chatStream.length() / 2),
            InvalidResponseReason.STREAM_INCOMPLETE),
        new Case("chat stream with an error chunk", OPENAI_CHAT, true, sse,
            dropLastEvents(chatStream, "\n\n", 3) + "data: {\"error\":{\"message\":\"upstream overloaded\",\"code\":502}}\n\ndata: [DONE]\n\n",
            InvalidResponseReason.STREAM_ERROR_EVENT),
        new Case("Anthropic stream without message_stop", ANTHROPIC, true, sse, dropLastEvents(anthropicStream, "\n\n", 1),
            InvalidResponseReason.STREAM_INCOMPLETE),
        new Case("Anthropic stream overloaded mid-way", ANTHROPIC, true, sse,
            anthropicStream.substring(0, anthropicStream.indexOf("event: content_block_delta"))
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
            InvalidResponseReason.STREAM_ERROR_EVENT),
        new Case("Responses stream without response.completed", OPENAI_RESPONSES, true, sse,
            dropLastEvents(responsesStream, "\n\n", 1), InvalidResponseReason.STREAM_INCOMPLETE),
        new Case("Gemini stream without its finishReason chunk", GEMINI_SSE, true, "text/event-stream",
            dropLastEvents(geminiStream, "\r\n\r\n", 1), InvalidResponseReason.STREAM_INCOMPLETE),
        new Case("recorded Gemini stream", GEMINI_SSE, true, "text/event-stream", geminiStream, null),
        new Case("empty stream", OPENAI_CHAT, true, sse, "", InvalidResponseReason.EMPTY_BODY));
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();

  private OkHttpClient client(ValidationMode mode, Case c) {
    return InProcess.client(
        LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).validation(mode).build(),
        InProcess.answer(200, c.contentType, c.body));
  }

  private Request request(Case c) {
    return InProcess.chat(c.url, "gpt-4o-mini", c.stream);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void observeModeCountsTheVerdictAndHandsTheBodyOverUnchanged(Case c) throws IOException {
    byte[] read;
    try (Response response = client(ValidationMode.OBSERVE, c).newCall(request(c)).execute()) {
      read = response.body().bytes();
    }

    assertThat(read).isEqualTo(c.body);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    if (c.reason == null) {
      assertThat(scrape.counter("gen_ai_client_invalid_responses")).isZero();
      assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "")).isEqualTo(1);
    } else {
      assertThat(scrape.counter("gen_ai_client_invalid_responses", "reason", c.reason.label())).isEqualTo(1);
      assertThat(scrape.counter("gen_ai_client_invalid_responses")).isEqualTo(1);
      assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", c.reason.errorType()))
          .isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void enforceModeFailsTheCallWithTheReasonAndPassesValidAnswersThrough(Case c) throws IOException {
    OkHttpClient client = client(ValidationMode.ENFORCE, c);
    if (c.reason == null) {
      try (Response response = client.newCall(request(c)).execute()) {
        assertThat(response.body().bytes()).isEqualTo(c.body);
      }
    } else {
      assertThatThrownBy(() -> {
        try (Response response = client.newCall(request(c)).execute()) {
          response.body().bytes();
        }
      })
          .isInstanceOf(InvalidLlmResponseException.class)
          .hasMessageContaining(c.reason.label())
          .satisfies(e -> assertThat(((InvalidLlmResponseException) e).reason()).isEqualTo(c.reason));
    }
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).as("recorded once").isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).isEqualTo(c.reason == null ? 0 : 1);
  }

  @Test
  void enforceModeFailsANonStreamingGhostBeforeTheAppReadsAByte() {
    Case htmlPage = cases().filter(c -> c.name.equals("gateway HTML page")).findFirst().orElseThrow();
    assertThatThrownBy(() -> client(ValidationMode.ENFORCE, htmlPage).newCall(request(htmlPage)).execute())
        .isInstanceOf(InvalidLlmResponseException.class)
        .hasMessage("LLM response from api.openai.com (HTTP 200) is not a usable answer: unexpected_content_type");
  }

  @Test
  void enforceModeJudgesABodyAboveTheCapAtItsEnd() throws IOException {
    String chat = body("openai/test_chat_completion_with_content.json");
    StringBuilder padded = new StringBuilder(chat.substring(0, chat.length() / 2));
    while (padded.length() < 4096) padded.append(' ');
    Case cut = new Case("big truncated", OPENAI_CHAT, false, "application/json", padded.toString(),
        InvalidResponseReason.TRUNCATED_JSON);
    OkHttpClient client = InProcess.client(
        LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE)
            .validation(ValidationMode.ENFORCE).maxEnforcedBodyBytes(1024).build(),
        InProcess.answer(200, cut.contentType, cut.body));

    try (Response response = client.newCall(request(cut)).execute()) {
      byte[] start = response.body().source().readByteArray(2048);
      assertThat(start).isEqualTo(java.util.Arrays.copyOf(cut.body, 2048));
      assertThatThrownBy(() -> response.body().source().readByteArray())
          .isInstanceOf(InvalidLlmResponseException.class);
    }
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "truncated_json")).isEqualTo(1);
  }
}

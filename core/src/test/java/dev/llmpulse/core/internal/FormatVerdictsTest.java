package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ghost successes in the formats added for issue 12, made from their real recordings cut or
 * corrupted: each gets its named verdict, and a recording left whole is a real answer.
 */
class FormatVerdictsTest {
  private static final String OLLAMA_CHAT_STREAM = "ollama/test_ollama_streaming_chat_legacy.json";
  private static final String OLLAMA_GENERATE_STREAM = "ollama/test_ollama_streaming_generation_legacy.json";
  private static final String OLLAMA_CHAT = "ollama/test_ollama_chat_legacy.json";
  private static final String OLLAMA_GENERATE = "ollama/test_ollama_generation_legacy.json";
  private static final String COHERE_STREAM =
      "cohere/chat_streaming_responses_cohere_command-a-03-2025_supports_streaming_responses.json";
  private static final String COHERE =
      "cohere/chat_basic_chat_functionality_cohere_command-a-03-2025_can_have_a_basic_conversation.json";
  private static final String GEMINI_EMBEDDINGS =
      "gemini/embedding_multimodal_embeddings_gemini_gemini-embedding-2_embeds_text_with_custom_dimensions.json";
  private static final String VERTEX_EMBEDDING = "vertex-ai/test_google_task_prefix_vertex.json";
  private static final String VERTEX_GEMINI_STREAM =
      "vertex-ai/chat_function_calling_vertexai_gemini-2_5-flash_can_use_tools_with_multi-turn_streaming_conversations.json";
  private static final String RESPONSES_INCOMPLETE = "openai/mirascope__test_max_tokens__openai_gpt_4o_responses_stream.json";
  private static final String RESPONSES_TOOL =
      "openai/chat_function_calling_openai_gpt-5-nano_can_use_tools_with_multi-turn_streaming_conversations.json";
  private static final String GROQ = "groq/test_chat_streaming_legacy.json";
  private static final String ANTHROPIC_TOOL =
      "anthropic/chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.json";

  /** One recording, changed (or not), and the verdict it must get. */
  static final class Case {
    final String name;
    final String fixture;
    final int interaction;
    final UnaryOperator<String> change;
    final InvalidResponseReason reason;

    Case(String name, String fixture, UnaryOperator<String> change, InvalidResponseReason reason) {
      this(name, fixture, 0, change, reason);
    }

    Case(String name, String fixture, int interaction, UnaryOperator<String> change,
        InvalidResponseReason reason) {
      this.name = name;
      this.fixture = fixture;
      this.interaction = interaction;
      this.change = change;
      this.reason = reason;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Without its last {@code n} lines (each ending with a newline). */
  static UnaryOperator<String> dropLastLines(int n) {
    return body -> {
      String cut = body;
      for (int i = 0; i < n; i++) cut = cut.substring(0, cut.lastIndexOf('\n', cut.length() - 2) + 1);
      return cut;
    };
  }

  /** Without its last {@code n} events (each ending with {@code separator}). */
  static UnaryOperator<String> dropLastEvents(String separator, int n) {
    return body -> {
      String cut = body;
      for (int i = 0; i < n; i++) {
        cut = cut.substring(0, cut.lastIndexOf(separator, cut.length() - separator.length() - 1) + separator.length());
      }
      return cut;
    };
  }

  static UnaryOperator<String> half() {
    return body -> body.substring(0, body.length() / 2);
  }

  static Stream<Case> cases() {
    InvalidResponseReason incomplete = InvalidResponseReason.STREAM_INCOMPLETE;
    return Stream.of(
        new Case("Ollama chat stream as recorded", OLLAMA_CHAT_STREAM, b -> b, null),
        new Case("Ollama chat stream without its done line", OLLAMA_CHAT_STREAM, dropLastLines(1), incomplete),
        new Case("Ollama chat stream cut inside its done line", OLLAMA_CHAT_STREAM,
            b -> b.substring(0, b.lastIndexOf("\"done\":true")), incomplete),
        new Case("Ollama chat stream cut in half", OLLAMA_CHAT_STREAM, half(), incomplete),
        new Case("Ollama chat stream with CRLF line ends", OLLAMA_CHAT_STREAM, b -> b.replace("\n", "\r\n"), null),
        new Case("Ollama chat stream without the last newline", OLLAMA_CHAT_STREAM, b -> b.substring(0, b.length() - 1), null),
        new Case("Ollama chat stream with blank lines between lines", OLLAMA_CHAT_STREAM, b -> b.replace("\n", "\n\n"), null),
        new Case("Ollama chat stream with a corrupted line", OLLAMA_CHAT_STREAM,
            b -> b.replaceFirst("\"message\"", "\"message\" x"), InvalidResponseReason.INVALID_JSON),
        new Case("Ollama chat stream with two objects on one line", OLLAMA_CHAT_STREAM,
            b -> b.replaceFirst("}\n", "} {\"model\":\"llama3\"}\n"), InvalidResponseReason.INVALID_JSON),
        new Case("Ollama chat stream ending in an error line", OLLAMA_CHAT_STREAM,
            b -> dropLastLines(10).apply(b) + "{\"error\":\"an error was encountered while running the model\"}\n",
            InvalidResponseReason.STREAM_ERROR_EVENT),
        new Case("Ollama generate stream without its done line", OLLAMA_GENERATE_STREAM, dropLastLines(1), incomplete),
        new Case("empty Ollama stream", OLLAMA_CHAT_STREAM, b -> "", InvalidResponseReason.EMPTY_BODY),
        new Case("Ollama chat without message", OLLAMA_CHAT,
            b -> b.replaceFirst("\"message\":\\{[^}]*\\},", ""), InvalidResponseReason.MISSING_CHOICES),
        new Case("Ollama generate without response", OLLAMA_GENERATE,
            b -> b.replaceFirst("\"response\":\"(\\\\.|[^\"\\\\])*\",", ""), InvalidResponseReason.MISSING_CHOICES),
        new Case("Ollama chat cut in half", OLLAMA_CHAT, half(), InvalidResponseReason.TRUNCATED_JSON),
        new Case("Cohere stream without message-end", COHERE_STREAM, dropLastEvents("\n\n", 2), incomplete),
        new Case("Cohere stream without the [DONE] after message-end", COHERE_STREAM, dropLastEvents("\n\n", 1), null),
        new Case("Cohere chat without message", COHERE, b -> b.replaceFirst("\"message\":\\{.*\\]\\},", ""),
            InvalidResponseReason.MISSING_CHOICES),
        new Case("Cohere chat cut in half", COHERE, half(), InvalidResponseReason.TRUNCATED_JSON),
        new Case("Gemini embeddings cut in half", GEMINI_EMBEDDINGS, half(), InvalidResponseReason.TRUNCATED_JSON),
        new Case("Gemini embeddings with a corrupted byte", GEMINI_EMBEDDINGS,
            b -> b.replaceFirst(",", ",x"), InvalidResponseReason.INVALID_JSON),
        new Case("empty Gemini embeddings", GEMINI_EMBEDDINGS, b -> "", InvalidResponseReason.EMPTY_BODY),
        new Case("Vertex embedContent cut before its usage", VERTEX_EMBEDDING,
            b -> b.substring(0, b.indexOf("\"usageMetadata\"")), InvalidResponseReason.TRUNCATED_JSON),
        new Case("Vertex Gemini stream without its finishReason chunk", VERTEX_GEMINI_STREAM, 1,
            dropLastEvents("\r\n\r\n", 1), incomplete),
        new Case("Responses stream without response.incomplete", RESPONSES_INCOMPLETE, dropLastEvents("\n\n", 1), incomplete),
        new Case("Responses function-call stream cut in half", RESPONSES_TOOL, half(), incomplete),
        new Case("Groq stream without [DONE]", GROQ, dropLastEvents("\n\n", 1), incomplete),
        new Case("Anthropic tool-use stream without message_stop", ANTHROPIC_TOOL, dropLastEvents("\n\n", 1), incomplete));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verdictIsNamed(Case c) {
    Recording recorded = Recording.load(c.fixture, c.interaction);
    String body = c.change.apply(recorded.text());
    if (c.reason != null) assertThat(body).as("the change applies").isNotEqualTo(recorded.text());
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int piece : new int[] {Integer.MAX_VALUE, 1, 5}) {
      assertThat(recorded.scan(bytes, piece).invalidReason()).as("in pieces of %d", piece).isEqualTo(c.reason);
    }
  }
}

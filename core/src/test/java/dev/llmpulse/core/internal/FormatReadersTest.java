package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;
import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reader rules that a plain replay does not show, each on a real recording. */
class FormatReadersTest {
  private static final String OPENROUTER_STREAM =
      "openrouter/chat_streaming_responses_openrouter_claude-haiku-4-5_supports_streaming_responses.json";
  private static final String OLLAMA_CHAT_STREAM = "ollama/test_ollama_streaming_chat_legacy.json";

  @Test
  void aChoiceThatReportsAgainCountsItsLastReasonOnce() {
    Recording recorded = Recording.load(OPENROUTER_STREAM, 0);
    String body = recorded.text();
    int usageChunk = body.lastIndexOf("\"finish_reason\":\"stop\"");
    String changed = body.substring(0, usageChunk) + "\"finish_reason\":\"length\""
        + body.substring(usageChunk + "\"finish_reason\":\"stop\"".length());

    assertThat(recorded.scan(Integer.MAX_VALUE).finishReasons()).containsExactly("stop");
    assertThat(recorded.scan(changed).finishReasons()).as("the last reported reason of choice 0")
        .containsExactly("length");
  }

  @Test
  void eachOfSeveralChoicesCountsOnceInIndexOrder() {
    Recording recorded = Recording.load("openai/test_chat_completion_multiple_choices_streaming.json", 0);
    String body = recorded.text();
    int second = body.indexOf("\"finish_reason\":\"stop\"", body.indexOf("\"finish_reason\":\"stop\"") + 1);
    String changed = body.substring(0, second) + "\"finish_reason\":\"length\""
        + body.substring(second + "\"finish_reason\":\"stop\"".length());

    assertThat(recorded.scan(changed).finishReasons()).containsExactly("stop", "length");
  }

  @Test
  void cohereCountsRawTokensOnlyWithoutBilledUnits() {
    Recording recorded = Recording.load(
        "cohere/chat_basic_chat_functionality_cohere_command-a-03-2025_can_have_a_basic_conversation.json", 0);
    String withoutBilled = recorded.text().replaceFirst("\"billed_units\":\\{[^}]*\\},", "");

    TokenUsage usage = recorded.scan(withoutBilled).usage();
    assertThat(withoutBilled).doesNotContain("billed_units");
    assertThat(usage.inputTokens()).isEqualTo(503);
    assertThat(usage.outputTokens()).isEqualTo(11);
    assertThat(usage.cacheReadTokens()).as("cached_tokens is not read").isZero();
  }

  @Test
  void ollamaLinesAreReadAsTheyArriveAndTheDoneLineCompletesTheStream() {
    Recording recorded = Recording.load(OLLAMA_CHAT_STREAM, 0);
    String[] lines = recorded.text().split("(?<=\n)");
    int[] chunks = {0};
    ResponseScanner scanner = ResponseScanner.builder(WireFormat.OLLAMA_CHAT)
        .contentType("application/x-ndjson").streamExpected(true)
        .onContentChunk(() -> chunks[0]++).build();

    for (int i = 0; i < lines.length; i++) {
      byte[] line = lines[i].getBytes(StandardCharsets.UTF_8);
      scanner.feed(line, 0, line.length);
      boolean last = i == lines.length - 1;
      assertThat(chunks[0]).as("line %d is counted when it is fed, nothing waits", i).isEqualTo(last ? 49 : i + 1);
      assertThat(scanner.isComplete()).as("complete only with the done line").isEqualTo(last);
    }
    assertThat(scanner.isStream()).isTrue();
    assertThat(scanner.usage().inputTokens()).isEqualTo(17);
    assertThat(scanner.usage().outputTokens()).isEqualTo(50);
    scanner.endOfInput();
    assertThat(scanner.invalidReason()).isNull();
  }

  /**
   * No public recording of an Ollama stream with tool calls exists: the recorded chat stream with
   * its first text line turned into the tool-call line Ollama's API documents.
   */
  @Test
  void anOllamaToolCallLineIsAContentChunk() {
    Recording recorded = Recording.load(OLLAMA_CHAT_STREAM, 0);
    String body = recorded.text();
    String firstText = body.substring(body.indexOf("\"content\":\""), body.indexOf("\"}", body.indexOf("\"content\":\"")) + 1);
    String toolCall = body.replaceFirst(java.util.regex.Pattern.quote(firstText),
        "\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Berlin\"}}}]");
    String noText = body.replaceFirst(java.util.regex.Pattern.quote(firstText), "\"content\":\"\"");

    assertThat(recorded.scan(toolCall).contentChunks()).isEqualTo(49);
    assertThat(recorded.scan(noText).contentChunks()).as("the same line without the call").isEqualTo(48);
    assertThat(recorded.scan(toolCall).invalidReason()).isNull();
  }

  /**
   * No public recording of Ollama's {@code /api/embed} exists: the recorded legacy {@code
   * /api/embeddings} answer, as is and reshaped the way {@code /api/embed} answers.
   */
  @Test
  void ollamaEmbedTakesPromptEvalCountAsInput() {
    Recording legacy = Recording.load("ollama/test_ollama_embeddings_legacy.json", 0);
    String vector = legacy.text().substring(legacy.text().indexOf('['), legacy.text().lastIndexOf(']') + 1);
    String embed = "{\"model\":\"llama3\",\"embeddings\":[" + vector + "],\"total_duration\":14143917,"
        + "\"load_duration\":1019500,\"prompt_eval_count\":4}";

    ResponseScanner asIs = scan(WireFormat.OLLAMA_EMBED, legacy.text());
    ResponseScanner reshaped = scan(WireFormat.OLLAMA_EMBED, embed);

    assertThat(asIs.invalidReason()).isNull();
    assertThat(asIs.usage().isKnown()).isFalse();
    assertThat(reshaped.invalidReason()).isNull();
    assertThat(reshaped.responseModel()).isEqualTo("llama3");
    assertThat(reshaped.usage().inputTokens()).isEqualTo(4);
    assertThat(reshaped.usage().outputTokens()).isZero();
    assertThat(reshaped.finishReasons()).isEmpty();
    assertThat(scan(WireFormat.OLLAMA_EMBED, embed.substring(0, embed.length() / 2)).invalidReason())
        .isEqualTo(InvalidResponseReason.TRUNCATED_JSON);
  }

  private static ResponseScanner scan(WireFormat format, String body) {
    ResponseScanner scanner = ResponseScanner.builder(format).contentType("application/json; charset=utf-8").build();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    scanner.feed(bytes, 0, bytes.length);
    scanner.endOfInput();
    return scanner;
  }

  @Test
  void anOllamaStreamWithoutContentTypeIsStillReadLineByLine() {
    Recording recorded = Recording.load(OLLAMA_CHAT_STREAM, 0);
    ResponseScanner scanner = ResponseScanner.builder(WireFormat.OLLAMA_CHAT).streamExpected(true).build();
    scanner.feed(recorded.body, 0, recorded.body.length);
    scanner.endOfInput();

    assertThat(scanner.invalidReason()).isNull();
    assertThat(scanner.contentChunks()).isEqualTo(49);
    assertThat(scanner.finishReasons()).containsExactly("stop");
  }

  @Test
  void anOllamaAnswerToStreamFalseIsOneJsonDocument() {
    Recording recorded = Recording.load("ollama/test_ollama_chat_legacy.json", 0);
    ResponseScanner scanner = recorded.scan(Integer.MAX_VALUE);

    assertThat(recorded.streamRequested).isFalse();
    assertThat(scanner.isStream()).isFalse();
    assertThat(scanner.invalidReason()).isNull();
    assertThat(scanner.usage().outputTokens()).isEqualTo(66);
  }
}

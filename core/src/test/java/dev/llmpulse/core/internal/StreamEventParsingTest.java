package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * One parser reads every event of a stream: a bad event must cost that event only. Built on the
 * recorded OpenAI stream with {@code include_usage} (usage on the last chunk before [DONE]).
 */
class StreamEventParsingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String[] recordedEvents() throws IOException {
    Path fixtures = Paths.get(System.getenv().getOrDefault("LLMPULSE_FIXTURES", "../fixtures"));
    String body = JSON.readTree(fixtures.resolve("openai/test_chat_stream_with_include_usage_option.json")
        .toFile()).path("interactions").get(0).path("response").path("body").asText();
    return body.split("\n\n");
  }

  private static ResponseScanner scan(String stream) {
    ResponseScanner scanner = ResponseScanner.builder(WireFormat.OPENAI_CHAT)
        .contentType("text/event-stream; charset=utf-8").streamExpected(true).build();
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += 7) scanner.feed(bytes, i, Math.min(7, bytes.length - i));
    scanner.endOfInput();
    return scanner;
  }

  /** The recording with {@code inserted} as an extra event before event number {@code at}. */
  private static String withEventBefore(int at, String inserted) throws IOException {
    String[] events = recordedEvents();
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < events.length; i++) {
      if (i == at) stream.append(inserted).append("\n\n");
      stream.append(events[i]).append("\n\n");
    }
    return stream.toString();
  }

  @Test
  void theRecordingReadsCleanly() throws IOException {
    ResponseScanner scanner = scan(withEventBefore(-1, ""));
    assertThat(scanner.invalidReason()).isNull();
    assertThat(scanner.usage().inputTokens()).isEqualTo(22);
    assertThat(scanner.usage().outputTokens()).isEqualTo(3);
    assertThat(scanner.finishReasons()).containsExactly("stop");
    assertThat(scanner.contentChunks()).isEqualTo(3);
  }

  @Test
  void aCutEventIsMalformedAndTheEventsAfterItStillCount() throws IOException {
    ResponseScanner scanner = scan(withEventBefore(2, "data: {\"choices\":[{\"delta\":{\"content\":\"x"));
    assertThat(scanner.invalidReason()).isEqualTo(InvalidResponseReason.INVALID_JSON);
    assertThat(scanner.usage().inputTokens()).isEqualTo(22);
    assertThat(scanner.usage().outputTokens()).isEqualTo(3);
    assertThat(scanner.finishReasons()).containsExactly("stop");
    assertThat(scanner.contentChunks()).isEqualTo(3);
  }

  @Test
  void anEventHoldingTwoDocumentsIsMalformed() throws IOException {
    ResponseScanner scanner = scan(withEventBefore(1, "data: {\"a\":1} {\"b\":2}"));
    assertThat(scanner.invalidReason()).isEqualTo(InvalidResponseReason.INVALID_JSON);
    assertThat(scanner.usage().outputTokens()).isEqualTo(3);
  }

  @Test
  void aGarbageEventIsMalformedAndTheNextOneStillParses() throws IOException {
    ResponseScanner scanner = scan(withEventBefore(5, "data: <html>502</html>"));
    assertThat(scanner.invalidReason()).isEqualTo(InvalidResponseReason.INVALID_JSON);
    assertThat(scanner.usage().inputTokens()).as("usage is in the event after the garbage")
        .isEqualTo(22);
  }

  @Test
  void aScalarEventIsAWholeDocumentAndDoesNotSwallowTheNext() throws IOException {
    ResponseScanner scanner = scan(withEventBefore(1, "data: 42"));
    assertThat(scanner.invalidReason()).isNull();
    assertThat(scanner.contentChunks()).isEqualTo(3);
    assertThat(scanner.usage().inputTokens()).isEqualTo(22);
  }

  @Test
  void anEventAboveTheCapIsSkippedAndTheNextEventParses() throws IOException {
    String big = "x".repeat(2048);
    ResponseScanner scanner = ResponseScanner.builder(WireFormat.OPENAI_CHAT)
        .contentType("text/event-stream").maxEventBytes(1024).build();
    byte[] first = ("data: {\"choices\":[{\"delta\":{\"content\":\"" + big + "\"}}]}\n\n")
        .getBytes(StandardCharsets.UTF_8);
    scanner.feed(first, 0, first.length);
    byte[] rest = withEventBefore(-1, "").getBytes(StandardCharsets.UTF_8);
    scanner.feed(rest, 0, rest.length);
    scanner.endOfInput();
    assertThat(scanner.oversizedEvents()).isEqualTo(1);
    assertThat(scanner.usage().outputTokens()).isEqualTo(3);
    assertThat(scanner.contentChunks()).as("the skipped event is not parsed").isEqualTo(3);
    assertThat(scanner.invalidReason()).isNull();
  }

  @Test
  void theLastModelAStreamNamesWinsWhateverItsCharacters() {
    // As sent: plain, repeated, empty (Azure's first chunk keeps the one before), escaped,
    // the same escaped, the same in UTF-8, longer, back.
    String[] sent = {"gpt-4o", "gpt-4o", "", "gpt-\\u00e9-mini", "gpt-\\u00e9-mini",
        "gpt-\u00e9-mini", "gpt-4o-2024", "gpt-4o"};
    String[] read = {"gpt-4o", "gpt-4o", "gpt-4o", "gpt-\u00e9-mini", "gpt-\u00e9-mini",
        "gpt-\u00e9-mini", "gpt-4o-2024", "gpt-4o"};
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < sent.length; i++) {
      stream.append("data: {\"model\":\"").append(sent[i])
          .append("\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n");
      assertThat(scan(stream + "data: [DONE]\n\n").responseModel()).as("after event %d", i + 1)
          .isEqualTo(read[i]);
    }
  }
}

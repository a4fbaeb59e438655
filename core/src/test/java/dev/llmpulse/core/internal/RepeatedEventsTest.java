package dev.llmpulse.core.internal;

import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A stream event that repeats the previous one but for one plain string is handed to the readers
 * from the previous event's tokenizer calls ({@link RepeatedEvents}). The readers must not be
 * able to tell: every recorded event stream, whole, in pieces, cut, with bits flipped and with
 * bytes inserted where they break a repeat (quotes, backslashes, UTF-8, control characters),
 * gives the same verdict, usage, model, finish reasons and content chunks (at the same byte) with
 * the repeats as with every event tokenized.
 */
class RepeatedEventsTest {
  private static final long SEED = 20261129L;
  private static final int[] PIECES = {Integer.MAX_VALUE, 8192, 61, 7, 1};
  private static final byte[] INSERTS = {'"', '\\', '{', '}', ',', ':', ' ', 'x', 0x01, '\n',
      (byte) 0xC3, (byte) 0xA9, (byte) 0xEF, (byte) 0x80};

  private static final Recording OPENAI =
      Recording.load("openai/test_chat_stream_with_include_usage_option.json", 0);
  private static final Recording ANTHROPIC =
      Recording.load("anthropic/test_anthropic_message_streaming_legacy.json", 0);

  @Test
  void everyRecordedEventStreamReadsTheSameWithRepeatsAsWithout() {
    Random random = new Random(SEED);
    int streams = 0;
    long inputs = 0;
    for (Recording recording : Recording.all()) {
      if (recording.contentType == null || !recording.contentType.startsWith("text/event-stream")) {
        continue;
      }
      streams++;
      byte[] body = recording.body;
      for (int piece : PIECES) inputs += same(recording, body, piece);
      int step = Math.max(1, body.length / 100);
      for (int cut = 0; cut < body.length; cut += step) {
        inputs += same(recording, Arrays.copyOf(body, cut), 1 + random.nextInt(300));
      }
      for (int i = 0; i < 100; i++) {
        inputs += same(recording, mutated(body, random), PIECES[random.nextInt(PIECES.length)]);
      }
    }
    assertThat(streams).as("recorded event streams").isGreaterThanOrEqualTo(8);
    assertThat(inputs).isGreaterThan(4000);
  }

  @Test
  void mostOpenAiChunksAreHandedOverAsRepeats() {
    byte[] stream = lengthened(OPENAI.text(), "\"delta\":{\"content\":\"", 200);
    ResponseScanner repeated = OPENAI.scan(stream, 8192, true);
    ResponseScanner tokenized = OPENAI.scan(stream, 8192, false);
    assertThat(outcome(repeated)).isEqualTo(outcome(tokenized));
    assertThat(repeated.invalidReason()).isNull();
    assertThat(repeated.contentChunks()).isEqualTo(200);
    // Every content chunk but the first repeats the one before: only its text changes.
    assertThat(repeated.replayedEvents()).isGreaterThanOrEqualTo(199);
    assertThat(tokenized.replayedEvents()).isZero();
  }

  @Test
  void anthropicTextDeltasAreHandedOverAsRepeats() {
    byte[] stream = lengthened(ANTHROPIC.text(), "event: content_block_delta", 200);
    ResponseScanner repeated = ANTHROPIC.scan(stream, 8192, true);
    assertThat(outcome(repeated)).isEqualTo(outcome(ANTHROPIC.scan(stream, 8192, false)));
    assertThat(repeated.invalidReason()).isNull();
    assertThat(repeated.replayedEvents()).isGreaterThan(150);
  }

  @Test
  void contentMutatedWhereRepeatsAreDecidedReadsTheSame() {
    Random random = new Random(SEED);
    Object[][] streams = {
        {OPENAI, lengthened(OPENAI.text(), "\"delta\":{\"content\":\"", 60), "\"content\":\""},
        {ANTHROPIC, lengthened(ANTHROPIC.text(), "event: content_block_delta", 60), "\"text\":\""}};
    for (Object[] stream : streams) {
      Recording recording = (Recording) stream[0];
      byte[] body = (byte[]) stream[1];
      List<Integer> contents = new ArrayList<>();
      String text = new String(body, StandardCharsets.ISO_8859_1);
      for (int at = text.indexOf((String) stream[2]); at >= 0;
          at = text.indexOf((String) stream[2], at + 1)) {
        contents.add(at + ((String) stream[2]).length());
      }
      for (int i = 0; i < 400; i++) {
        // A byte put at, or just around, the start of a content string of a random event.
        int at = contents.get(random.nextInt(contents.size())) + random.nextInt(6) - 1;
        byte[] mutated = Arrays.copyOf(body, body.length + 1);
        System.arraycopy(body, at, mutated, at + 1, body.length - at);
        mutated[at] = INSERTS[random.nextInt(INSERTS.length)];
        if (random.nextBoolean()) { // or in place of the byte there
          System.arraycopy(mutated, at + 1, mutated, at, body.length - at);
          mutated = Arrays.copyOf(mutated, body.length);
        }
        same(recording, mutated, PIECES[random.nextInt(PIECES.length)]);
      }
    }
  }

  @Test
  void anEventIsARepeatOnlyWhenOnePlainStringChanged() {
    String chunk = "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
        + "\"%s\"},\"finish_reason\":null}]}";
    assertThat(repeats(chunk, "Hello", " world")).isTrue();
    assertThat(repeats(chunk, "Hello", "")).isTrue();
    assertThat(repeats(chunk, "", "Hello")).isTrue();
    assertThat(repeats(chunk, "Hello", "Hello")).as("the very same event").isTrue();
    assertThat(repeats(chunk, "Hello", "a\\nb")).as("an escape in the new content").isFalse();
    assertThat(repeats(chunk, "Hello", "caf\u00e9")).as("non-ASCII in the new content").isFalse();
    assertThat(repeats(chunk, "Hello", "a\"b")).as("a quote ends the string early").isFalse();
    assertThat(repeats(chunk, "Hello", "a\u0001b")).as("a control character").isFalse();
    String twoFields = "{\"index\":%s,\"delta\":{\"content\":\"x\"}}";
    assertThat(repeats(twoFields, "0", "1")).as("a number changed").isFalse();
    String modelAfter = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}],"
        + "\"model\":\"gpt-4o-2024-08-06\"}";
    assertThat(repeats(modelAfter, "a", "a longer delta")).as("a string after the changed one")
        .isTrue();
    assertThat(repeats(modelAfter, "a longer delta", "")).isTrue();
    String usageAfter = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"}}],"
        + "\"usage\":{\"prompt_tokens\":5000000000,\"completion_tokens\":7}}";
    assert5000000000(usageAfter);
    String model = "{\"model\":\"%s\",\"delta\":{\"content\":\"x\"}}";
    assertThat(repeats(model, "a", "b")).as("any string may change").isTrue();
    assertThat(repeats("{\"a\":[%s]}", "1", "1")).as("the same bytes").isTrue();
    assertThat(repeats("{\"a\":\"%s\"}", "x", "x\",\"b\":\"y"))
        .as("new tokens in the difference").isFalse();
    String numbers70 = IntStream.range(0, 70).mapToObj(Integer::toString)
        .collect(Collectors.joining(","));
    assertThat(repeats("{\"a\":[" + numbers70 + "],\"t\":\"%s\"}", "x", "yz"))
        .as("76 calls: the log grows").isTrue();
    String numbers150 = IntStream.range(0, 150).mapToObj(Integer::toString)
        .collect(Collectors.joining(","));
    assertThat(repeats("{\"a\":[" + numbers150 + "],\"t\":\"%s\"}", "x", "yz"))
        .as("over " + JsonTokenizer.TokenLog.MAX_CALLS + " calls: tokenized in full").isFalse();
    String padded = "{\"delta\":{\"text\":\"%s}";
    assertThat(repeats(padded, "a\"}   ", "bc\"}      ")).as("other padding before the brace").isTrue();
    assertThat(repeats(padded, "a\"}   ", "bc\"   }")).as("padding between the braces").isTrue();
    assertThat(repeats(padded, "a\"}   ", "bc\"}]  ")).as("another closer").isFalse();
    assertThat(repeats(padded, "a\"}   ", "b\\}   ")).as("a backslash, no closing quote")
        .isFalse();
    assertThat(repeats(padded, "a\"}   ", "b\u0001}   ")).as("a control, no closing quote")
        .isFalse();
    assertThat(repeats(padded, "a\"}   ", "bc\"} x ")).as("a token after the root").isFalse();
    assertThat(repeats(padded, "a\"}   ", "bc\"}\u000b")).as("not JSON whitespace").isFalse();
    assertThat(repeats("{\"t\":\"%s,\"u\":1}", "a\"  ", "b\" ")).as("a name after the string")
        .isFalse();
  }

  /**
   * The string that changed last is tried first, but taken only where it holds the difference:
   * a difference in another string, or at its opening quote, is found (or refused) as without it.
   */
  @Test
  void theStringThatChangedLastIsTriedFirstOnlyWhereItHoldsTheDifference() {
    String chunk = "{\"id\":%s,\"choices\":[{\"delta\":{\"content\":%s}}]}";
    assertThat(replayed(String.format(chunk, "\"c1\"", "\"a\""),
        String.format(chunk, "\"c1\"", "\"b\""), // the content changed
        String.format(chunk, "\"c2\"", "\"b\""), // then the id, before it
        String.format(chunk, "\"c2\"", "\"cd\""))) // then the content again
        .isEqualTo(3);
    assertThat(replayed(String.format(chunk, "\"c1\"", "\"a\""),
        String.format(chunk, "\"c1\"", "\"b\""),
        String.format(chunk, "\"c1\"", "x\"b\""))) // the content's opening quote replaced
        .as("a difference just before the string").isEqualTo(1);
  }

  /**
   * A repeat skips the values its reader did nothing with whatever its state: here the chunk's
   * id, object, created, fingerprint, logprobs and null finish reason, never the model, the
   * choice's index or the content.
   */
  @Test
  void theValuesAReaderIgnoresAreMarkedForRepeatsToSkip() throws IOException {
    byte[] chunk = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
        + "\"model\":\"gpt-4o\",\"system_fingerprint\":\"fp\",\"choices\":[{\"index\":0,"
        + "\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,\"finish_reason\":null}],"
        + "\"list\":[1,\"two\"]}").getBytes(StandardCharsets.UTF_8);
    JsonWalker walker = new JsonWalker(FormatReader.of(WireFormat.OPENAI_CHAT));
    JsonTokenizer.TokenLog log = new JsonTokenizer.TokenLog();
    log.begin(chunk, 0);
    walker.log(log);
    new JsonTokenizer(walker).feed(chunk, 0, chunk.length);
    List<String> inert = new ArrayList<>();
    List<String> read = new ArrayList<>();
    String name = null;
    for (int k = 0; k < log.size; k++) {
      if (log.kind(k) == JsonTokenizer.TokenLog.NAME) name = log.names[k];
      if (log.kind(k) != JsonTokenizer.TokenLog.SCALAR) continue;
      (log.isInert(k) ? inert : read).add(name + (log.isString(k) ? "" : "#"));
    }
    assertThat(read).containsExactly("model", "index#", "content");
    assertThat(inert).containsExactly("id", "object", "created#", "system_fingerprint",
        "logprobs#", "finish_reason#", "list#", "list");
  }

  /** Events read with and without repeats, alike; returns how many were handed over as repeats. */
  private static int replayed(String... events) {
    StringBuilder body = new StringBuilder();
    for (String event : events) body.append("data: ").append(event).append("\n\n");
    byte[] bytes = body.append("data: [DONE]\n\n").toString().getBytes(StandardCharsets.UTF_8);
    ResponseScanner repeated = OPENAI.scan(bytes, Integer.MAX_VALUE, true);
    assertThat(outcome(repeated)).isEqualTo(outcome(OPENAI.scan(bytes, Integer.MAX_VALUE, false)));
    return repeated.replayedEvents();
  }

  @Test
  void aLineEndInARepeatedEventIsNeverSkipped() {
    // The decoder skips the line-end search over bytes that repeat the previous event, which is
    // safe only while that event was one line. The second event is two data lines ("}" alone on
    // the second), a repeat of the first but for its text and a newline in the closing padding;
    // the third starts like it and must still end its first line where the newline is.
    String body = "data: {\"delta\":{\"text\":\"a\"}}\n\n"
        + "data: {\"delta\":{\"text\":\"bc\"}\ndata: }\n\n"
        + "data: {\"delta\":{\"text\":\"bc\"}\ndata: }\n\n"
        + "data: {\"delta\":{\"text\":\"d\"}}\n\n"
        + "data: [DONE]\n\n";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int piece : PIECES) {
      ResponseScanner repeated = ANTHROPIC.scan(bytes, piece, true);
      assertThat(outcome(repeated)).as("pieces of %d", piece)
          .isEqualTo(outcome(ANTHROPIC.scan(bytes, piece, false)));
      assertThat(repeated.invalidReason()).isNull();
    }
    assertThat(ANTHROPIC.scan(bytes, Integer.MAX_VALUE, true).replayedEvents()).isEqualTo(3);
  }

  /** Integers after the changed string, one of them over 32 bits, read right from a repeat. */
  private static void assert5000000000(String template) {
    assertThat(repeats(template, "a", "a longer delta")).isTrue();
    // The third event repeats the second, whose positions were moved in the log.
    String body = "data: " + String.format(template, "a") + "\n\ndata: "
        + String.format(template, "a longer delta") + "\n\ndata: "
        + String.format(template, "b") + "\n\ndata: [DONE]\n\n";
    ResponseScanner repeated = OPENAI.scan(body.getBytes(StandardCharsets.UTF_8), 13, true);
    assertThat(repeated.replayedEvents()).isEqualTo(2);
    assertThat(repeated.usage().inputTokens()).isEqualTo(5_000_000_000L);
    assertThat(repeated.usage().outputTokens()).isEqualTo(7);
  }

  /** True when the second event is handed over as a repeat of the first. */
  private static boolean repeats(String template, String first, String second) {
    String body = "data: " + String.format(template, first) + "\n\ndata: "
        + String.format(template, second) + "\n\ndata: [DONE]\n\n";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ResponseScanner repeated = OPENAI.scan(bytes, Integer.MAX_VALUE, true);
    assertThat(outcome(repeated))
        .isEqualTo(outcome(OPENAI.scan(bytes, Integer.MAX_VALUE, false)));
    return repeated.replayedEvents() == 1;
  }

  /** Asserts both paths read {@code body} alike; returns 1 (one input checked). */
  private static int same(Recording recording, byte[] body, int piece) {
    List<Long> chunksWith = new ArrayList<>();
    List<Long> chunksWithout = new ArrayList<>();
    ResponseScanner with = scan(recording, body, piece, true, chunksWith);
    ResponseScanner without = scan(recording, body, piece, false, chunksWithout);
    assertThat(outcome(with)).as("%s, %d bytes in pieces of %d", recording, body.length, piece)
        .isEqualTo(outcome(without));
    assertThat(chunksWith).as("%s: content chunks, at the byte", recording).isEqualTo(chunksWithout);
    return 1;
  }

  /** Scans {@code body} in pieces; {@code chunks} gets the bytes read at each content chunk. */
  private static ResponseScanner scan(Recording recording, byte[] body, int piece,
      boolean repeatedEvents, List<Long> chunks) {
    ResponseScanner[] scanner = new ResponseScanner[1];
    scanner[0] = recording.builder().repeatedEvents(repeatedEvents)
        .onContentChunk(() -> chunks.add(scanner[0].bytes())).build();
    for (int i = 0; i < body.length; i += piece) {
      scanner[0].feed(body, i, Math.min(piece, body.length - i));
    }
    scanner[0].endOfInput();
    return scanner[0];
  }

  private static String outcome(ResponseScanner s) {
    return "verdict=" + s.invalidReason() + " usage=" + s.usage() + " model=" + s.responseModel()
        + " finish=" + s.finishReasons() + " chunks=" + s.contentChunks() + " oversized="
        + s.oversizedEvents() + " complete=" + s.isComplete() + " stream=" + s.isStream();
  }

  private static byte[] mutated(byte[] body, Random random) {
    byte[] out = body.clone();
    switch (random.nextInt(3)) {
      case 0: // a bit flipped
        if (out.length > 0) out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        return out;
      case 1: { // a byte inserted
        int at = random.nextInt(out.length + 1);
        byte[] longer = new byte[out.length + 1];
        System.arraycopy(out, 0, longer, 0, at);
        longer[at] = INSERTS[random.nextInt(INSERTS.length)];
        System.arraycopy(out, at, longer, at + 1, out.length - at);
        return longer;
      }
      default: { // a byte deleted
        if (out.length == 0) return out;
        int at = random.nextInt(out.length);
        byte[] shorter = new byte[out.length - 1];
        System.arraycopy(out, 0, shorter, 0, at);
        System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
        return shorter;
      }
    }
  }

  /** The recorded stream with its events that contain {@code mark} repeated until there are n. */
  private static byte[] lengthened(String body, String mark, int n) {
    List<String> events = Arrays.stream(body.split("\n\n", -1)).filter(e -> !e.isEmpty())
        .collect(Collectors.toList());
    List<String> content = events.stream().filter(e -> e.contains(mark))
        .collect(Collectors.toList());
    assertThat(content).as("events with %s", mark).isNotEmpty();
    int first = events.indexOf(content.get(0));
    int last = events.lastIndexOf(content.get(content.size() - 1));
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < first; i++) out.append(events.get(i)).append("\n\n");
    for (int i = 0; i < n; i++) out.append(content.get(i % content.size())).append("\n\n");
    for (int i = last + 1; i < events.size(); i++) out.append(events.get(i)).append("\n\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}

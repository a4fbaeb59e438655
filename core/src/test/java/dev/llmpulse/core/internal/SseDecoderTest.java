package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSE grammar as the WHATWG spec has it, fed in pieces of every size. */
class SseDecoderTest {
  private final List<String> events = new ArrayList<>();
  private int oversized;

  private SseDecoder decoder(int maxEventBytes) {
    return new SseDecoder(new SseDecoder.Listener() {
      @Override
      public void onEvent(String name, byte[] data, int offset, int length) {
        events.add((name == null ? "" : name + "|")
            + new String(data, offset, length, StandardCharsets.UTF_8));
      }

      @Override
      public void onOversizedEvent() {
        oversized++;
      }
    }, maxEventBytes);
  }

  /**
   * Feeds {@code stream} in pieces of {@code piece} bytes, then ends it. Each piece goes through
   * one buffer, overwritten after each feed as an I/O buffer is refilled.
   */
  private List<String> decode(String stream, int piece) {
    events.clear();
    SseDecoder decoder = decoder(1024);
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    byte[] buffer = new byte[Math.min(piece, Math.max(1, bytes.length)) + 3];
    for (int i = 0; i < bytes.length; i += piece) {
      int n = Math.min(piece, bytes.length - i);
      System.arraycopy(bytes, i, buffer, 3, n);
      decoder.feed(buffer, 3, n);
      java.util.Arrays.fill(buffer, (byte) '#');
    }
    decoder.endOfInput();
    return new ArrayList<>(events);
  }

  @Test
  void everyLineEndingAndEveryPieceSizeGiveTheSameEvents() {
    String[] endings = {"\n", "\r\n", "\r"};
    for (String eol : endings) {
      String stream = "event: message_start" + eol + "data: {\"a\":1}" + eol + eol
          + ": keep-alive" + eol + eol
          + "data: first" + eol + "data: second" + eol + eol
          + "data:no-space" + eol + eol
          + "data: [DONE]" + eol + eol;
      for (int piece = 1; piece <= stream.length(); piece++) {
        assertThat(decode(stream, piece)).as("line end %s, pieces of %d", eol.replace("\r", "\\r").replace("\n", "\\n"), piece)
            .containsExactly("message_start|{\"a\":1}", "first\nsecond", "no-space", "[DONE]");
      }
    }
  }

  @Test
  void geminiCrlfSeparatorsAndOpenRouterCommentsAreHandled() {
    assertThat(decode(": OPENROUTER PROCESSING\n\ndata: {\"x\":1}\r\n\r\ndata: {\"x\":2}\r\n\r\n", 3))
        .containsExactly("{\"x\":1}", "{\"x\":2}");
  }

  @Test
  void eventWithoutItsBlankLineAtEofIsStillDelivered() {
    assertThat(decode("data: {\"x\":1}\n\ndata: [DONE]", 5)).containsExactly("{\"x\":1}", "[DONE]");
  }

  @Test
  void eventNameDoesNotLeakIntoTheNextEvent() {
    assertThat(decode("event: error\ndata: {}\n\ndata: {}\n\n", 7)).containsExactly("error|{}", "{}");
  }

  @Test
  void eventAboveTheCapIsReportedOversizedAndTheNextOneIsParsedAgain() {
    events.clear();
    SseDecoder decoder = decoder(1024);
    byte[] big = ("data: " + "x".repeat(5000) + "\n\ndata: small\n\n").getBytes(StandardCharsets.UTF_8);
    decoder.feed(big, 0, big.length);
    decoder.endOfInput();
    assertThat(oversized).isEqualTo(1);
    assertThat(events).containsExactly("small");
  }

  @Test
  void lineEndScanFindsTheFirstLineBreakWhateverTheBytesAndAlignment() {
    java.util.Random random = new java.util.Random(42);
    byte[] alphabet = {'a', '\n', '\r', 0, (byte) 0x8a, (byte) 0x8d, (byte) 0xff, 0x0b, 0x09, 0x0c, 0x0e};
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt(256);
      }
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int end = from + random.nextInt(bytes.length - from + 1);
      int expected = from;
      while (expected < end && bytes[expected] != '\n' && bytes[expected] != '\r') expected++;
      assertThat(SseDecoder.lineEnd(bytes, from, end)).as("round %d", round).isEqualTo(expected);
    }
  }

  @Test
  void anEventLeftOpenAtThePiecesEndKeepsItsDataWhenTheCallerReusesItsBuffer() {
    SseDecoder decoder = decoder(1024);
    byte[] buffer = "data: {\"a\":1}\n".getBytes(StandardCharsets.UTF_8);
    decoder.feed(buffer, 0, buffer.length); // the data line is whole, its event is not
    java.util.Arrays.fill(buffer, (byte) 'x'); // as an I/O buffer is refilled
    byte[] next = "\ndata: {\"b\":2}\n\n".getBytes(StandardCharsets.UTF_8);
    decoder.feed(next, 0, next.length);

    assertThat(events).containsExactly("{\"a\":1}", "{\"b\":2}");
  }

  @Test
  void aRepeatedEventNameIsOneString() {
    List<String> names = new ArrayList<>();
    SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
      @Override
      public void onEvent(String name, byte[] data, int offset, int length) {
        names.add(name);
      }

      @Override
      public void onOversizedEvent() {}
    }, 1024);
    byte[] stream = ("event: content_block_delta\ndata: {}\n\nevent: content_block_delta\ndata: {}\n\n"
        + "event: message_stop\ndata: {}\n\ndata: {}\n\n").getBytes(StandardCharsets.UTF_8);
    decoder.feed(stream, 0, stream.length);

    assertThat(names).containsExactly("content_block_delta", "content_block_delta", "message_stop", null);
    assertThat(names.get(1)).isSameAs(names.get(0));
  }
}

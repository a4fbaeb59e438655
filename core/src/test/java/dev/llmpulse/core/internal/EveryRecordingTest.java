package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every recorded interaction of ../fixtures, whatever its format: its path is a known LLM API
 * path, its 2xx answer reads as a real answer (the recorded ghosts aside), and what the scanner
 * learns does not depend on how the network cut the body into pieces (one byte at a time,
 * three, 64, 1000, or all at once): line and event framing, split UTF-8 and split tokens.
 */
class EveryRecordingTest {
  /** Recordings of real upstreams that answered 200 with something that is not an answer. */
  private static final Map<String, InvalidResponseReason> RECORDED_GHOSTS = Map.of(
      // Groq's tool_use_failed: HTTP 200, reasoning deltas, then an error event, no [DONE].
      "groq/test_tool_use_failed_error_streaming.json#0", InvalidResponseReason.STREAM_ERROR_EVENT);

  static Stream<Recording> recordings() {
    return Recording.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordings")
  void recordedPathIsAKnownLlmApi(Recording recorded) {
    assertThat(recorded.format()).as(recorded.path).isNotEqualTo(WireFormat.UNKNOWN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recordings")
  void answerIsJudgedTheSameInPiecesOfAnySize(Recording recorded) {
    ResponseScanner whole = recorded.scan(Integer.MAX_VALUE);
    if (recorded.status >= 200 && recorded.status < 300) {
      assertThat(whole.invalidReason()).as("verdict").isEqualTo(RECORDED_GHOSTS.get(recorded.name));
    } else {
      assertThat(whole.invalidReason()).as("an error status is not judged").isNull();
    }
    assertThat(whole.oversizedEvents()).isZero();
    for (int piece : new int[] {1, 3, 64, 1000}) {
      ResponseScanner pieces = recorded.scan(piece);
      assertThat(summary(pieces)).as("in pieces of %d bytes", piece).isEqualTo(summary(whole));
    }
  }

  private static List<Object> summary(ResponseScanner s) {
    return List.of(String.valueOf(s.invalidReason()), s.usage(), s.finishReasons(),
        s.contentChunks(), s.responseModel(), s.isStream(), s.isComplete());
  }
}

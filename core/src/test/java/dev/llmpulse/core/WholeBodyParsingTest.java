package dev.llmpulse.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A JSON answer up to 256 KB is read in one pass at its end, a bigger one incrementally. Both
 * readings must agree on everything they report, for every recorded non-streaming 200 body, cut
 * at every offset, with bytes flipped, with invalid UTF-8, in pieces of any size.
 */
class WholeBodyParsingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A recorded body and the wire format of the request that got it. */
  private static final class Recorded {
    final String name;
    final WireFormat format;
    final byte[] body;

    Recorded(String name, WireFormat format, byte[] body) {
      this.name = name;
      this.format = format;
      this.body = body;
    }
  }

  private static List<Recorded> recordedJsonAnswers() throws IOException {
    Path root = Paths.get(System.getenv().getOrDefault("LLMPULSE_FIXTURES", "../fixtures"));
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("pricing"))
          .sorted().collect(Collectors.toList());
    }
    List<Recorded> answers = new ArrayList<>();
    for (Path file : files) {
      JsonNode interactions = JSON.readTree(file.toFile()).path("interactions");
      for (JsonNode interaction : interactions) {
        JsonNode response = interaction.path("response");
        String type = response.path("headers").toString().toLowerCase();
        if (response.path("status").asInt() != 200 || type.contains("event-stream")
            || response.path("body").asText().isBlank()) {
          continue;
        }
        String uri = interaction.path("request").path("uri").asText();
        WireFormat format = WireFormat.detect(uri.replaceFirst("^https?://[^/]+", "").replaceFirst("\\?.*", ""));
        if (!format.isParsed() || uri.contains("streamGenerateContent")) continue;
        answers.add(new Recorded(root.relativize(file).toString(), format,
            response.path("body").asText().getBytes(StandardCharsets.UTF_8)));
      }
    }
    return answers;
  }

  private static String reading(WireFormat format, byte[] body, int piece, int wholeBodyMax) {
    ResponseScanner scanner = ResponseScanner.builder(format).contentType("application/json")
        .wholeBodyMax(wholeBodyMax).build();
    for (int i = 0; i < body.length; i += piece) scanner.feed(body, i, Math.min(piece, body.length - i));
    scanner.endOfInput();
    TokenUsage u = scanner.usage();
    return "verdict=" + scanner.invalidReason() + " model=" + scanner.responseModel()
        + " finish=" + scanner.finishReasons() + " usage=" + u.isKnown() + "/" + u.inputTokens()
        + "/" + u.outputTokens() + "/" + u.cacheReadTokens() + "/" + u.cacheCreationTokens()
        + "/" + u.cacheCreation1hTokens() + "/" + u.reasoningTokens();
  }

  private static void assertSameReading(String what, WireFormat format, byte[] body, int piece) {
    assertThat(reading(format, body, piece, ResponseScanner.WHOLE_BODY_MAX))
        .as(what).isEqualTo(reading(format, body, piece, 0));
  }

  @Test
  void everyRecordedAnswerIsReadTheSameWholeOrInPieces() throws IOException {
    List<Recorded> answers = recordedJsonAnswers();
    assertThat(answers).as("recorded JSON answers found").hasSizeGreaterThanOrEqualTo(8);
    for (Recorded a : answers) {
      String whole = reading(a.format, a.body, a.body.length, ResponseScanner.WHOLE_BODY_MAX);
      assertThat(whole).as(a.name).startsWith("verdict=null");
      assertSameReading(a.name, a.format, a.body, a.body.length);
      assertSameReading(a.name + " in 7-byte pieces", a.format, a.body, 7);
    }
  }

  @Test
  void cutAtEveryOffsetTheVerdictIsTheIncrementalOne() throws IOException {
    for (Recorded a : recordedJsonAnswers()) {
      for (int cut = 0; cut < a.body.length; cut++) {
        byte[] prefix = java.util.Arrays.copyOf(a.body, cut);
        assertSameReading(a.name + " cut at " + cut, a.format, prefix, Math.max(1, cut));
      }
    }
  }

  @Test
  void flippedBytesAndInvalidUtf8GetTheIncrementalVerdict() throws IOException {
    Random random = new Random(20261127L);
    byte[] specials = {0, '"', '\\', '{', '}', '[', ']', ',', ':', (byte) 0xC3, (byte) 0xE2,
        (byte) 0xF0, (byte) 0x80, (byte) 0xFF, '\n'};
    for (Recorded a : recordedJsonAnswers()) {
      for (int round = 0; round < 300; round++) {
        byte[] body = a.body.clone();
        int flips = 1 + random.nextInt(3);
        for (int f = 0; f < flips; f++) {
          body[random.nextInt(body.length)] = random.nextBoolean()
              ? specials[random.nextInt(specials.length)] : (byte) random.nextInt(256);
        }
        assertSameReading(a.name + " round " + round, a.format, body, 1 + random.nextInt(64));
      }
    }
  }

  @Test
  void aBodyAboveTheCapIsReadIncrementallyWithTheSameResult() throws IOException {
    Recorded a = recordedJsonAnswers().get(0);
    String json = new String(a.body, StandardCharsets.UTF_8);
    int open = json.indexOf('{');
    String padded = json.substring(0, open + 1) + "\"padding\":\"" + "x".repeat(300 * 1024) + "\","
        + json.substring(open + 1);
    byte[] big = padded.getBytes(StandardCharsets.UTF_8);
    assertThat(big.length).isGreaterThan(ResponseScanner.WHOLE_BODY_MAX);
    assertThat(reading(a.format, big, 8192, ResponseScanner.WHOLE_BODY_MAX))
        .isEqualTo(reading(a.format, a.body, 8192, ResponseScanner.WHOLE_BODY_MAX));
  }

  @Test
  void aByteOrderMarkOrUtf16BodyIsLeftToTheIncrementalReading() throws IOException {
    Recorded a = recordedJsonAnswers().get(0);
    byte[] bom = new byte[a.body.length + 3];
    bom[0] = (byte) 0xEF;
    bom[1] = (byte) 0xBB;
    bom[2] = (byte) 0xBF;
    System.arraycopy(a.body, 0, bom, 3, a.body.length);
    assertSameReading("UTF-8 BOM", a.format, bom, bom.length);
    byte[] utf16 = new String(a.body, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16BE);
    assertSameReading("UTF-16", a.format, utf16, utf16.length);
  }
}

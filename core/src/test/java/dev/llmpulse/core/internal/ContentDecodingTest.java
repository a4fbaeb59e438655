package dev.llmpulse.core.internal;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** gzip and deflate decoded piece by piece, whatever the piece size and header options. */
class ContentDecodingTest {
  private static final byte[] ANSWER = ("{\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"content\":\"" + "hello ".repeat(3000) + "\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}").getBytes(StandardCharsets.UTF_8);

  private static String decode(ContentDecoder.Encoding encoding, byte[] encoded, int piece) {
    ContentDecoder decoder = new ContentDecoder(encoding);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < encoded.length; i += piece) {
      decoder.feed(encoded, i, Math.min(piece, encoded.length - i), out::write);
    }
    assertThat(decoder.failed()).isFalse();
    decoder.end();
    return out.toString(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] data, boolean raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d =
        new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
      d.write(data);
    }
    return out.toByteArray();
  }

  /** A gzip member with every optional header field: extra, name, comment and header CRC. */
  private static byte[] gzipWithAllHeaderFields(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, (byte) 255});
    header.write(new byte[] {5, 0, 'a', 'b', 'c', 'd', 'e'}); // FEXTRA, 5 bytes
    header.write("answer.json\0".getBytes(StandardCharsets.ISO_8859_1)); // FNAME
    header.write("recorded\0".getBytes(StandardCharsets.ISO_8859_1)); // FCOMMENT
    CRC32 headerCrc = new CRC32();
    headerCrc.update(header.toByteArray());
    out.write(header.toByteArray());
    out.write((int) headerCrc.getValue() & 0xff);
    out.write((int) (headerCrc.getValue() >> 8) & 0xff);
    out.write(deflate(data, true));
    CRC32 crc = new CRC32();
    crc.update(data);
    for (long v : new long[] {crc.getValue(), data.length}) {
      for (int i = 0; i < 4; i++) out.write((int) (v >> (8 * i)) & 0xff);
    }
    return out.toByteArray();
  }

  @ParameterizedTest(name = "pieces of {0} bytes")
  @ValueSource(ints = {1, 2, 7, 10, 11, 512, 8192, 1 << 20})
  void gzipIsDecodedWhateverThePieceSize(int piece) throws IOException {
    assertThat(decode(ContentDecoder.Encoding.GZIP, gzip(ANSWER), piece))
        .isEqualTo(new String(ANSWER, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "pieces of {0} bytes")
  @ValueSource(ints = {1, 3, 1000})
  void everyOptionalGzipHeaderFieldIsSkipped(int piece) throws IOException {
    assertThat(decode(ContentDecoder.Encoding.GZIP, gzipWithAllHeaderFields(ANSWER), piece))
        .isEqualTo(new String(ANSWER, StandardCharsets.UTF_8));
  }

  @Test
  void concatenatedGzipMembersAreDecodedOneAfterAnother() throws IOException {
    byte[] first = gzip("{\"a\":".getBytes(StandardCharsets.UTF_8));
    byte[] second = gzip("1}".getBytes(StandardCharsets.UTF_8));
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    assertThat(decode(ContentDecoder.Encoding.GZIP, both, 5)).isEqualTo("{\"a\":1}");
  }

  @Test
  void bytesAfterTheLastMemberAreIgnored() throws IOException {
    byte[] member = gzip(ANSWER);
    byte[] padded = new byte[member.length + 4];
    System.arraycopy(member, 0, padded, 0, member.length);
    assertThat(decode(ContentDecoder.Encoding.GZIP, padded, 64))
        .isEqualTo(new String(ANSWER, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "raw={0}")
  @ValueSource(booleans = {false, true})
  void deflateIsZlibOrRawAsServersSendIt(boolean raw) throws IOException {
    assertThat(decode(ContentDecoder.Encoding.DEFLATE, deflate(ANSWER, raw), 100))
        .isEqualTo(new String(ANSWER, StandardCharsets.UTF_8));
  }

  @Test
  void bytesThatAreNotGzipFailWithoutThrowing() {
    ContentDecoder decoder = new ContentDecoder(ContentDecoder.Encoding.GZIP);
    byte[] plain = ANSWER;
    decoder.feed(plain, 0, plain.length, (d, o, n) -> { });
    assertThat(decoder.failed()).isTrue();
    decoder.feed(plain, 0, plain.length, (d, o, n) -> { }); // further feeds are ignored
    decoder.end();
  }

  @Test
  void corruptDeflateDataFailsWithoutThrowing() throws IOException {
    byte[] broken = gzip(ANSWER);
    for (int i = 10; i < broken.length / 2; i++) broken[i] = (byte) 0xff;
    ContentDecoder decoder = new ContentDecoder(ContentDecoder.Encoding.GZIP);
    decoder.feed(broken, 0, broken.length, (d, o, n) -> { });
    assertThat(decoder.failed()).isTrue();
  }

  @Test
  void encodingsAreReadFromTheHeaderValue() {
    assertThat(ContentDecoder.Encoding.of(null)).isEqualTo(ContentDecoder.Encoding.IDENTITY);
    assertThat(ContentDecoder.Encoding.of(" identity ")).isEqualTo(ContentDecoder.Encoding.IDENTITY);
    assertThat(ContentDecoder.Encoding.of("GZIP")).isEqualTo(ContentDecoder.Encoding.GZIP);
    assertThat(ContentDecoder.Encoding.of("x-gzip")).isEqualTo(ContentDecoder.Encoding.GZIP);
    assertThat(ContentDecoder.Encoding.of("deflate")).isEqualTo(ContentDecoder.Encoding.DEFLATE);
    assertThat(ContentDecoder.Encoding.of("br")).isEqualTo(ContentDecoder.Encoding.UNSUPPORTED);
    assertThat(ContentDecoder.Encoding.of("zstd")).isEqualTo(ContentDecoder.Encoding.UNSUPPORTED);
    assertThat(ContentDecoder.Encoding.of("gzip, br")).isEqualTo(ContentDecoder.Encoding.UNSUPPORTED);
  }

  @Test
  void aGzipAnswerFedToACallIsCountedInFull() throws IOException {
    io.prometheus.metrics.model.registry.PrometheusRegistry registry =
        new io.prometheus.metrics.model.registry.PrometheusRegistry();
    LlmMetrics metrics = LlmMetrics.forRegistry(registry);
    LlmCall call = metrics.startCall(WireFormat.OPENAI_CHAT, "openai", "gpt-4o",
        "api.openai.com", false, CostModel.NONE, System::nanoTime, null);
    call.onResponse(200, "application/json", "gzip", RateLimitSnapshot.EMPTY);
    byte[] encoded = gzip(ANSWER);
    for (int i = 0; i < encoded.length; i += 33) {
      call.onBody(encoded, i, Math.min(33, encoded.length - i));
    }
    call.onBodyEnd();
    assertThat(call.invalidReason()).isNull();
    double output = 0;
    for (io.prometheus.metrics.model.snapshots.MetricSnapshot s : registry.scrape()) {
      if (!s.getMetadata().getPrometheusName().equals(LlmMetrics.TOKENS)) continue;
      for (io.prometheus.metrics.model.snapshots.DataPointSnapshot p : s.getDataPoints()) {
        io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot c =
            (io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p;
        if ("output".equals(c.getLabels().get("gen_ai_token_type"))) output += c.getValue();
      }
    }
    assertThat(output).isEqualTo(2);
  }
}

package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Property test: whatever bytes an upstream sends, in OBSERVE mode the application reads exactly
 * those bytes, nothing of ours throws into it, and each call is recorded exactly once. The inputs
 * are every recorded 200 body of ../fixtures, truncated at every offset (a big body: at every
 * offset near its ends and at 4,096 spread between), with flipped bytes, random bytes, invalid
 * UTF-8 and very long lines, served in-process (no network).
 */
class MutatedBodiesFuzzTest {
  private static final long SEED = 20261126L;
  private static final int EDGE = 512;

  /** A recorded 200 response: where it was sent and what came back. */
  static final class Seed {
    final String url;
    final boolean stream;
    final String contentType;
    final byte[] body;

    Seed(String url, boolean stream, String contentType, byte[] body) {
      this.url = url;
      this.stream = stream;
      this.contentType = contentType;
      this.body = body;
    }
  }

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicReference<Seed> serving = new AtomicReference<>();
  private final AtomicReference<byte[]> body = new AtomicReference<>();
  private final OkHttpClient client = InProcess.client(
      LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).build(),
      chain -> InProcess.response(chain.request(), 200, serving.get().contentType, body.get()));
  private long calls;

  static List<Seed> seeds() throws IOException {
    List<Seed> seeds = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Fixture.root())) {
      files = walk.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("pricing"))
          .sorted().collect(Collectors.toList());
    }
    for (Path file : files) {
      for (Fixture.Interaction recorded : Fixture.load(Fixture.root().relativize(file).toString()).interactions) {
        if (recorded.status != 200) continue;
        String type = "application/json";
        for (String[] header : recorded.responseHeaders) {
          if (header[0].equalsIgnoreCase("Content-Type")) type = header[1];
        }
        String url = recorded.recordedUrl.toString();
        boolean stream = type.startsWith("text/event-stream") || type.startsWith("application/x-ndjson");
        seeds.add(new Seed(url, stream, type, recorded.decodedBody()));
      }
    }
    return seeds;
  }

  @Test
  void anyBodyIsReadByteForByteAndRecordedExactlyOnce() throws IOException {
    List<Seed> seeds = seeds();
    Random random = new Random(SEED);
    int truncations = 0;
    int flips = 0;
    int randoms = 0;
    int invalidUtf8 = 0;
    int longLines = 0;

    for (Seed seed : seeds) {
      for (int cut : cuts(seed.body.length)) {
        call(seed, java.util.Arrays.copyOf(seed.body, cut));
        truncations++;
      }
      for (int i = 0; i < 200; i++) {
        byte[] mutated = seed.body.clone();
        for (int flip = 1 + random.nextInt(4); flip > 0; flip--) {
          int at = random.nextInt(mutated.length);
          mutated[at] = (byte) (mutated[at] ^ (1 << random.nextInt(8)));
        }
        call(seed, mutated);
        flips++;
      }
      for (int i = 0; i < 50; i++) {
        byte[] noise = new byte[random.nextInt(4096)];
        random.nextBytes(noise);
        call(seed, noise);
        randoms++;
      }
      for (int i = 0; i < 50; i++) {
        byte[] mutated = seed.body.clone();
        int at = random.nextInt(mutated.length);
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xF0, (byte) 0x9F, (byte) 0xFF};
        System.arraycopy(bad, 0, mutated, at, Math.min(bad.length, mutated.length - at));
        call(seed, mutated);
        invalidUtf8++;
      }
    }
    Seed chatStream = seeds.stream().filter(s -> s.stream).findFirst().orElseThrow();
    Seed chat = seeds.stream().filter(s -> !s.stream && s.url.endsWith("/chat/completions")).findFirst().orElseThrow();
    String longText = "x".repeat(3 * 1024 * 1024);
    call(chatStream, ("data: {\"choices\":[{\"delta\":{\"content\":\"" + longText + "\"}}]}\n\ndata: [DONE]\n\n")
        .getBytes(StandardCharsets.UTF_8));
    call(chatStream, ("data: " + longText).getBytes(StandardCharsets.UTF_8));
    call(chatStream, (": " + longText + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
    call(chat, ("{\"choices\":[{\"message\":{\"content\":\"" + longText + "\"}}]}").getBytes(StandardCharsets.UTF_8));
    call(chat, longText.getBytes(StandardCharsets.UTF_8));
    call(chat, ("[".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
    longLines = 6;

    long total = truncations + flips + randoms + invalidUtf8 + longLines;
    System.out.printf("fuzz: %d calls (%d truncations, %d bit flips, %d random bodies, %d invalid UTF-8,"
        + " %d very long lines) over %d recorded bodies%n",
        total, truncations, flips, randoms, invalidUtf8, longLines, seeds.size());
    assertThat(total).isGreaterThanOrEqualTo(10_000);
    assertThat(calls).isEqualTo(total);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds"))
        .as("each call recorded exactly once").isEqualTo(total);
    assertThat(scrape.points("gen_ai_client_requests_in_flight").stream()
        .mapToDouble(p -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) p).getValue())
        .sum()).as("nothing left in flight").isZero();
    assertThat(scrape.counter("gen_ai_client_instrumentation_errors")).as("no internal failure").isZero();
  }

  /**
   * Where to cut a body: at every offset when it is small; a big one (an embedding of thousands
   * of floats) at every offset of its first and last {@value #EDGE} bytes and at an even spread
   * between, so each recording costs about the same whatever its size.
   */
  static int[] cuts(int length) {
    if (length <= 4 * EDGE) {
      int[] all = new int[length];
      for (int i = 0; i < length; i++) all[i] = i;
      return all;
    }
    int middle = 2 * EDGE;
    int[] cuts = new int[4 * EDGE];
    int n = 0;
    for (int i = 0; i < EDGE; i++) cuts[n++] = i;
    for (int i = 0; i < middle; i++) cuts[n++] = EDGE + (int) ((long) i * (length - 2 * EDGE) / middle);
    for (int i = length - EDGE; i < length; i++) cuts[n++] = i;
    return cuts;
  }

  private void call(Seed seed, byte[] bytes) throws IOException {
    serving.set(seed);
    body.set(bytes);
    Request request = InProcess.chat(seed.url, "gpt-4o-mini", seed.stream);
    try (Response response = client.newCall(request).execute()) {
      byte[] read = response.body().bytes();
      if (!java.util.Arrays.equals(read, bytes)) {
        throw new AssertionError("the app read different bytes for a body of " + bytes.length + " bytes");
      }
    }
    calls++;
  }
}

package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * O(1) memory per call: a 100 MB stream passes through the interceptor in a JVM with a 64 MB heap
 * (the {@code small-heap} surefire execution runs this class with {@code -Xmx64m}), and the heap
 * is as flat after it as before.
 */
@Tag("small-heap")
class LargeStreamTest {
  private static final long STREAM_BYTES = 100L * 1024 * 1024;
  private static final byte[] CHUNK = ("data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
      + "\"delta\":{\"content\":\"lorem ipsum dolor sit amet, consectetur adipiscing elit\"},"
      + "\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8);
  private static final byte[] END = ("data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],\"usage\":"
      + "{\"prompt_tokens\":12,\"completion_tokens\":1000000,\"total_tokens\":1000012}}\n\ndata: [DONE]\n\n")
      .getBytes(StandardCharsets.UTF_8);

  /** Generates the stream as it is read: nothing of it exists before or after. */
  static final class GeneratedStream implements Source {
    long remaining = STREAM_BYTES;
    boolean endSent;
    long chunks;

    @Override
    public long read(Buffer sink, long byteCount) {
      if (remaining > 0) {
        sink.write(CHUNK);
        remaining -= CHUNK.length;
        chunks++;
        return CHUNK.length;
      }
      if (!endSent) {
        endSent = true;
        sink.write(END);
        return END.length;
      }
      return -1;
    }

    @Override
    public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override
    public void close() {}
  }

  @Test
  void hundredMegabyteStreamRunsInASmallHeapWithTheHeapFlat() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    GeneratedStream upstream = new GeneratedStream();
    OkHttpClient client = InProcess.client(
        LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).build(),
        chain -> new Response.Builder().request(chain.request()).protocol(Protocol.HTTP_1_1)
            .code(200).message("OK").header("Content-Type", "text/event-stream")
            .body(ResponseBody.create(Okio.buffer(upstream), MediaType.get("text/event-stream"), -1))
            .build());
    long before = usedHeapAfterGc();

    long read = 0;
    long heapMidway = 0;
    try (Response response = client.newCall(InProcess.chat("https://api.openai.com/v1/chat/completions",
        "gpt-4o-mini", true)).execute()) {
      BufferedSource app = response.body().source();
      Buffer sink = new Buffer();
      long n;
      while ((n = app.read(sink, 64 * 1024)) != -1) {
        read += n;
        sink.clear();
        if (heapMidway == 0 && read > STREAM_BYTES / 2) heapMidway = usedHeapAfterGc();
      }
    }
    long after = usedHeapAfterGc();

    System.out.printf("100 MB stream: %d bytes read, heap used %d KiB before, %d KiB midway, %d KiB after%n",
        read, before / 1024, heapMidway / 1024, after / 1024);
    assertThat(read).isGreaterThanOrEqualTo(STREAM_BYTES);
    assertThat(heapMidway - before).as("heap growth midway").isLessThan(8L * 1024 * 1024);
    assertThat(after - before).as("heap growth after").isLessThan(8L * 1024 * 1024);
    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(1_000_000);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds"))
        .isEqualTo(upstream.chunks - 1);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).isZero();
  }

  private static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) System.gc();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}

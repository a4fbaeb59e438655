package dev.llmpulse.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;

/**
 * Reads a 1 GiB SSE chat stream through LLM Pulse (in-process, generated on the fly so nothing
 * but the client holds it) and prints the heap used after a full GC before, during and after.
 * Run it with a small heap to show memory per call is O(1) whatever the body size:
 *
 * <pre>
 * java -Xmx64m -cp benchmarks/target/benchmarks.jar dev.llmpulse.benchmarks.MemoryCheck [GiB]
 * </pre>
 */
public final class MemoryCheck {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  public static void main(String[] args) throws IOException {
    double gib = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    long target = (long) (gib * (1L << 30));
    Variant.Instrumented c = Variant.llmPulse.client(new StreamServer(target), null);
    Request request = Payloads.streamRequest(Payloads.IN_PROCESS_URL);

    // Warm the path (classes, metric series) with a small stream, then measure.
    Calls.callDrain(Variant.llmPulse.client(new StreamServer(1 << 20), null).client, request);
    long before = usedAfterGc();
    System.out.printf("max heap %d MiB; used after GC before the call: %.2f MiB%n",
        Runtime.getRuntime().maxMemory() >> 20, before / 1048576.0);

    long start = System.nanoTime();
    long total = 0;
    long nextReport = 1L << 28;
    long peakDuring = 0;
    try (Response response = c.client.newCall(request).execute()) {
      BufferedSource source = response.body().source();
      Buffer sink = new Buffer();
      for (long n; (n = source.read(sink, 8192)) != -1; ) {
        total += n;
        sink.clear();
        if (total >= nextReport) {
          long used = usedAfterGc();
          peakDuring = Math.max(peakDuring, used);
          System.out.printf("  after %4d MiB read: used after GC %.2f MiB%n", total >> 20,
              used / 1048576.0);
          nextReport += 1L << 28;
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long after = usedAfterGc();
    System.out.printf("read %d bytes (%.2f GiB) in %.1f s (%.0f MB/s, GCs included)%n", total,
        total / (double) (1L << 30), seconds, total / seconds / 1e6);
    System.out.printf("used after GC: before %.2f MiB, peak during %.2f MiB, after %.2f MiB,"
        + " delta %+.2f MiB%n", before / 1048576.0, peakDuring / 1048576.0, after / 1048576.0,
        (after - before) / 1048576.0);
    System.out.println("calls recorded by LLM Pulse: " + c.recordedCalls());
    if (c.recordedCalls() != 1) throw new IllegalStateException("the call was not recorded");
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  /** Answers with an SSE stream of {@code size} bytes or a little more, generated as read. */
  static final class StreamServer implements Interceptor {
    private final long size;

    StreamServer(long size) {
      this.size = size;
    }

    @Override
    public Response intercept(Chain chain) {
      return new Response.Builder()
          .request(chain.request())
          .protocol(Protocol.HTTP_1_1)
          .code(200)
          .message("OK")
          .headers(Payloads.responseHeaders(Payloads.SSE))
          .body(ResponseBody.create(Okio.buffer(new Generated(size)), Payloads.SSE, -1))
          .build();
    }
  }

  /** Content events until {@code size} bytes, then the finish, usage and [DONE] events. */
  static final class Generated implements Source {
    private static final byte[] EVENT = Payloads.CONTENT_EVENT.getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = Payloads.STREAM_END.getBytes(StandardCharsets.UTF_8);
    private final long size;
    private long produced;
    private boolean ended;

    Generated(long size) {
      this.size = size;
    }

    @Override
    public long read(Buffer sink, long byteCount) {
      if (ended) return -1;
      long n = 0;
      while (n < byteCount && produced < size) {
        sink.write(EVENT);
        n += EVENT.length;
        produced += EVENT.length;
      }
      if (produced >= size) {
        sink.write(END);
        n += END.length;
        ended = true;
      }
      return n;
    }

    @Override
    public Timeout timeout() {
      return Timeout.NONE;
    }

    @Override
    public void close() {}
  }

  private MemoryCheck() {}
}

package dev.llmpulse.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reads a 1,000-chunk SSE chat stream (~{@value #APPROX_KB} KB) to its end: in-process (the
 * body is already in memory, so this is the CPU cost of the tee and the parser per byte, the
 * worst case) and over loopback (one server flush per event, as a real stream arrives). MB/s =
 * ops/s x the stream size printed at setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dsun.net.httpserver.nodelay=true"})
public class StreamBenchmark {
  static final int APPROX_KB = 283;

  @Param({"bare", "llmPulse"})
  public String variant;

  @Param({"inProcess", "loopback"})
  public String transport;

  private LoopbackServer server;
  private OkHttpClient client;
  private Request request;

  @Setup
  public void setUp() throws IOException {
    Variant.Instrumented c;
    if (transport.equals("loopback")) {
      server = new LoopbackServer(2);
      c = Variant.valueOf(variant).client(null, "127.0.0.1");
      request = Payloads.streamRequest(server.url("/stream" + Payloads.PATH));
    } else {
      c = Variant.valueOf(variant)
          .client(new InProcessServer(Payloads.STREAM_RESPONSE, Payloads.SSE), null);
      request = Payloads.streamRequest(Payloads.IN_PROCESS_URL);
    }
    client = c.client;
    Calls.checkRecords(c, request, true, !transport.equals("loopback"));
    Calls.prewarm(Calls.PREWARM_SECONDS, () -> Calls.callDrain(client, request));
    long size = Calls.callDrain(client, request);
    if (size != Payloads.STREAM_RESPONSE.length) throw new IllegalStateException("read " + size);
    System.out.println("stream bytes per op: " + size);
  }

  @TearDown
  public void tearDown() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    if (server != null) server.close();
  }

  @Benchmark
  public long stream() throws IOException {
    return Calls.callDrain(client, request);
  }
}

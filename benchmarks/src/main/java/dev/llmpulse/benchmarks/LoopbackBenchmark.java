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
 * The same 2 KB chat completion over loopback HTTP/1.1 (kept-alive connection, TCP_NODELAY
 * server): the end-to-end time an application sees, bare and instrumented.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dsun.net.httpserver.nodelay=true"})
public class LoopbackBenchmark {
  @Param({"bare", "micrometerListener", "micrometerObservation", "llmPulse"})
  public String variant;

  private LoopbackServer server;
  private OkHttpClient client;
  private Request request;

  @Setup
  public void setUp() throws IOException {
    server = new LoopbackServer(2);
    Variant.Instrumented c = Variant.valueOf(variant).client(null, "127.0.0.1");
    client = c.client;
    request = Payloads.chatRequest(server.url(Payloads.PATH));
    Calls.checkRecords(c, request, false, false);
    Calls.prewarm(Calls.PREWARM_SECONDS, () -> Calls.callString(client, request));
  }

  @TearDown
  public void tearDown() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    server.close();
  }

  @Benchmark
  public int call() throws IOException {
    return Calls.callString(client, request);
  }
}

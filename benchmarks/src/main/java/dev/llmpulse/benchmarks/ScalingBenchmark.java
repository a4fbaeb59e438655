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
import org.openjdk.jmh.annotations.Threads;

/**
 * The in-process non-streaming call from 1, 4 and 16 threads sharing one client and one
 * registry (as an application does): total calls per second. Scaling = ops/s at N threads over
 * ops/s at 1 thread, compared between LLM Pulse and bare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ScalingBenchmark {
  @Param({"bare", "micrometerObservation", "llmPulse"})
  public String variant;

  private OkHttpClient client;
  private Request request;

  @Setup
  public void setUp() throws IOException {
    request = Payloads.chatRequest(Payloads.IN_PROCESS_URL);
    client = Calls.inProcessChatClient(variant, request);
  }

  @Benchmark
  @Threads(1)
  public int threads01() throws IOException {
    return Calls.callString(client, request);
  }

  @Benchmark
  @Threads(4)
  public int threads04() throws IOException {
    return Calls.callString(client, request);
  }

  @Benchmark
  @Threads(16)
  public int threads16() throws IOException {
    return Calls.callString(client, request);
  }
}

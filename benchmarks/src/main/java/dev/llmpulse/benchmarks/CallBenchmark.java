package dev.llmpulse.benchmarks;

import dev.llmpulse.core.Attribution;
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

/**
 * One non-streaming 2 KB chat completion per call, answered in-process by a terminal
 * interceptor (no network): the cost of the instrumentation itself. Micrometer's event listener
 * records nothing here (no response-headers event without a network); its observation
 * interceptor is the fair peer in-process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CallBenchmark {
  @Param({"bare", "micrometerListener", "micrometerObservation", "llmPulse", "llmPulseAttributed"})
  public String variant;

  private OkHttpClient client;
  private Request request;

  @Setup
  public void setUp() throws IOException {
    request = Payloads.chatRequest(Payloads.IN_PROCESS_URL);
    if (variant.equals("llmPulseAttributed")) {
      request = request.newBuilder().tag(Attribution.Tags.class, Variant.ATTRIBUTION).build();
    }
    client = Calls.inProcessChatClient(variant, request);
  }

  @Benchmark
  public int call() throws IOException {
    return Calls.callString(client, request);
  }
}

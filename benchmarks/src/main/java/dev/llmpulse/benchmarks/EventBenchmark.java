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
 * Per stream event: a recorded OpenAI SSE, Anthropic SSE or Ollama NDJSON stream (the fixtures
 * named in {@link RecordedStream}, lengthened to {@value #MIN_EVENTS}+ events) read in-process
 * to its end. One op is one whole stream; ns per event = (llmPulse − bare) / events on the
 * sampled medians, and events per second per core = events / llmPulse's median (one thread).
 * {@link Interleaved} computes both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EventBenchmark {
  /**
   * Long enough that the call's fixed part (~5 µs) adds under ~20 ns to each event, short enough
   * (~0.5 ms) that most ops run within one scheduler time slice on a shared machine, so that
   * sample mode's median measures the work and not the wait for a CPU.
   */
  static final int MIN_EVENTS = 300;

  @Param({"openai", "anthropic", "ollama"})
  public String format;

  @Param({"bare", "llmPulse"})
  public String variant;

  private OkHttpClient client;
  private Request request;
  private long size;

  @Setup
  public void setUp() throws IOException {
    RecordedStream s = RecordedStream.of(format, MIN_EVENTS);
    Variant.Instrumented c = Variant.valueOf(variant)
        .client(new InProcessServer(s.body, s.type, s.headers), null);
    client = c.client;
    request = s.request;
    Calls.checkRecords(c, request, true, true);
    Calls.prewarm(Calls.PREWARM_SECONDS, () -> Calls.callDrain(client, request));
    size = Calls.callDrain(client, request);
    if (size != s.body.length) throw new IllegalStateException("read " + size);
    System.out.println("stream " + format + ": events per op: " + s.events + ", bytes: " + size);
  }

  @TearDown
  public void tearDown() {
    client.dispatcher().executorService().shutdown();
  }

  @Benchmark
  public long stream() throws IOException {
    return Calls.callDrain(client, request);
  }
}

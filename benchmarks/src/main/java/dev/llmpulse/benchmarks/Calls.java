package dev.llmpulse.benchmarks;

import java.io.IOException;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;

/** What the application does with each answer: reads all of it, then closes it. */
final class Calls {
  /** A non-streaming call: the whole body as a string, as most JSON clients read it. */
  static int callString(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      return response.body().string().length();
    }
  }

  /** A stream: drained 8 KiB at a time as it arrives, never held whole. */
  static long callDrain(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      BufferedSource source = response.body().source();
      Buffer sink = new Buffer();
      long total = 0;
      for (long n; (n = source.read(sink, 8192)) != -1; ) {
        total += n;
        sink.clear();
      }
      return total;
    }
  }

  /** Fails the run if an instrumented client does not record each of a few calls. */
  static void checkRecords(Variant.Instrumented c, Request request, boolean stream,
      boolean inProcess) throws IOException {
    long before = c.recordedCalls();
    for (int i = 0; i < 3; i++) {
      if (stream) callDrain(c.client, request);
      else callString(c.client, request);
    }
    long recorded = c.recordedCalls() - before;
    boolean expectsRecords = c.variant != Variant.bare
        && !(c.variant == Variant.micrometerListener && inProcess); // no headers event in-process
    if (expectsRecords && recorded != 3) {
      throw new IllegalStateException(c.variant + " recorded " + recorded + " of 3 calls");
    }
    if (c.variant == Variant.llmPulseAttributed && !c.attributed("feature", "refunds")) {
      throw new IllegalStateException(c.variant + " recorded no call with feature=refunds");
    }
  }

  /**
   * A client of {@code variant} that the in-process server answers with the 2 KB chat
   * completion, checked to record and pre-warmed with {@code request}.
   */
  static OkHttpClient inProcessChatClient(String variant, Request request) throws IOException {
    Variant.Instrumented c = Variant.valueOf(variant)
        .client(new InProcessServer(Payloads.CHAT_RESPONSE, Payloads.JSON), null);
    checkRecords(c, request, false, true);
    prewarm(PREWARM_SECONDS, () -> callString(c.client, request));
    return c.client;
  }

  /**
   * Runs the call single-threaded for {@code seconds} before measuring, so that C2 has compiled
   * the hot path. Without it, 16 busy threads on 2 cores starve the JIT compiler threads and
   * an instrumented client spends 30 s or more partly interpreted (measured: LLM Pulse at 16
   * threads went from ~8k to ~96k calls/s only after ~30 s); JMH warm-up alone is too short.
   * Every variant gets the same treatment.
   */
  static void prewarm(double seconds, IoTask task) throws IOException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long ops = 0;
    while (System.nanoTime() < end || ops < PREWARM_OPS) {
      for (int i = 0; i < 10; i++) task.run();
      ops += 10;
    }
  }

  interface IoTask {
    void run() throws IOException;
  }

  static final double PREWARM_SECONDS = Double.parseDouble(
      System.getProperty("bench.prewarmSeconds", "5"));

  /**
   * And at least this many calls ({@code -Dbench.prewarmOps}, default 0): on a machine shared
   * with other builds, seconds buy little work, and a variant measured before C2 compiled it
   * looks several times slower than it is.
   */
  static final long PREWARM_OPS = Long.getLong("bench.prewarmOps", 0);

  private Calls() {}
}

package dev.llmpulse.benchmarks;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Whole recorded streams through OkHttp and LLM Pulse ({@link EventBenchmark}'s set-up, one
 * format) for two builds in one JVM, each benchmarks jar in its own class loader, with bare OkHttp
 * (from the first jar) as the third variant: alternating blocks, the order rotated block by
 * block, so a slow phase of the machine falls on all three alike. Per block it takes each build's
 * overhead per event ((build − bare) / events) and their ratio B/A; it prints the medians.
 * Unlike {@link ScannerAB} this includes what an event costs outside the scanner: the tee, the
 * call's chunk timing, the application's read. The class-loader slot a build runs in moves its
 * time (see the README): run it both ways and take the square root of the two ratios' quotient.
 *
 * <pre>
 * java -Xms2g -Xmx2g -cp benchmarks/target-bench/benchmarks.jar dev.llmpulse.benchmarks.StreamAB \
 *     &lt;jar A&gt; &lt;jar B&gt; [openai|anthropic|ollama] [blocks]
 * </pre>
 */
public final class StreamAB {
  private static final int OPS_PER_BLOCK = 40;

  /** One variant of one build: its EventBenchmark, set up (checked to record, pre-warmed). */
  private static final class Stream {
    final Object benchmark;
    final Method stream;

    Stream(String jar, String format, String variant) throws Exception {
      ClassLoader loader = new URLClassLoader(new URL[] {Paths.get(jar).toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Class<?> type = loader.loadClass(EventBenchmark.class.getName());
      benchmark = type.getConstructor().newInstance();
      type.getField("format").set(benchmark, format);
      type.getField("variant").set(benchmark, variant);
      type.getMethod("setUp").invoke(benchmark);
      stream = type.getMethod("stream");
    }

    long run(int ops) throws Exception {
      long sink = 0;
      for (int i = 0; i < ops; i++) sink += (Long) stream.invoke(benchmark);
      return sink;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: StreamAB <jar A> <jar B> [format] [blocks]");
    }
    String format = args.length > 2 ? args[2] : "openai";
    int blocks = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    int events = RecordedStream.of(format, EventBenchmark.MIN_EVENTS).events;
    Stream[] streams = {
      new Stream(args[0], format, "bare"),
      new Stream(args[0], format, "llmPulse"),
      new Stream(args[1], format, "llmPulse"),
    };
    for (int round = 0; round < 3; round++) { // all three compiled before the first block
      for (Stream s : streams) s.run(2_000);
    }
    double[][] perEvent = new double[3][blocks];
    double[] overheadA = new double[blocks];
    double[] overheadB = new double[blocks];
    double[] ratio = new double[blocks];
    long sink = 0;
    for (int k = 0; k < blocks; k++) {
      for (int j = 0; j < 3; j++) {
        int v = (k + j) % 3;
        long t0 = System.nanoTime();
        sink += streams[v].run(OPS_PER_BLOCK);
        perEvent[v][k] = (System.nanoTime() - t0) / (double) OPS_PER_BLOCK / events;
      }
      overheadA[k] = perEvent[1][k] - perEvent[0][k];
      overheadB[k] = perEvent[2][k] - perEvent[0][k];
      ratio[k] = overheadB[k] / overheadA[k];
    }
    System.out.printf("A = %s%nB = %s%n%s stream, %d events per op, %d blocks of %d ops per variant"
        + " (sink %d)%n", args[0], args[1], format, events, blocks, OPS_PER_BLOCK, sink);
    String[] names = {"bare (A)", "llmPulse A", "llmPulse B"};
    for (int v = 0; v < 3; v++) {
      System.out.printf("%-11s %s ns per event%n", names[v], median(perEvent[v], "%,.0f"));
    }
    System.out.printf("overhead per event: A %s ns, B %s ns; B/A per block %s%n",
        median(overheadA, "%,.0f"), median(overheadB, "%,.0f"), median(ratio, "%.2f"));
  }

  /** Median (quartiles) of {@code values}, each in {@code format}; sorts them in place. */
  private static String median(double[] values, String format) {
    Arrays.sort(values);
    int n = values.length;
    return String.format(format + " (" + format + "-" + format + ")", values[n / 2],
        values[n / 4], values[3 * n / 4]);
  }
}

package dev.llmpulse.benchmarks;

import java.io.IOException;
import java.util.Arrays;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * The in-process call of {@link CallBenchmark} for bare OkHttp, Micrometer's observation
 * interceptor and LLM Pulse in ONE JVM, in alternating blocks of 2,000 calls (the order rotated
 * block by block): on a shared machine whose speed changes from second to second (this one's
 * median call moves between ~5.7 and ~9.5 µs within one JMH fork), a slow phase then falls on
 * all three alike, and the ratio of the overheads is taken per block. The price: the three share
 * OkHttp's code, so its call sites see three interceptor chains (JMH's forks give each variant a
 * JVM of its own; use {@link Interleaved} for absolute times).
 *
 * <pre>
 * java -cp benchmarks/target-bench/benchmarks.jar dev.llmpulse.benchmarks.CallAB [blocks]
 * </pre>
 */
public final class CallAB {
  private static final String[] VARIANTS = {"bare", "micrometerObservation", "llmPulse"};
  private static final int CALLS_PER_BLOCK = 2_000;

  public static void main(String[] args) throws IOException {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    Request request = Payloads.chatRequest(Payloads.IN_PROCESS_URL);
    OkHttpClient[] clients = new OkHttpClient[VARIANTS.length];
    for (int v = 0; v < VARIANTS.length; v++) {
      clients[v] = Calls.inProcessChatClient(VARIANTS[v], request); // checked, pre-warmed
    }
    for (int round = 0; round < 3; round++) { // warm all three after each other
      for (OkHttpClient client : clients) {
        for (int i = 0; i < 50_000; i++) Calls.callString(client, request);
      }
    }
    double[][] perCall = new double[VARIANTS.length][blocks];
    double[] ratio = new double[blocks];
    long sink = 0;
    for (int k = 0; k < blocks; k++) {
      for (int j = 0; j < VARIANTS.length; j++) {
        int v = (k + j) % VARIANTS.length;
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS_PER_BLOCK; i++) sink += Calls.callString(clients[v], request);
        perCall[v][k] = (System.nanoTime() - t0) / (double) CALLS_PER_BLOCK;
      }
      ratio[k] = (perCall[2][k] - perCall[0][k]) / (perCall[1][k] - perCall[0][k]);
    }
    System.out.printf("%d blocks of %,d calls per variant, in-process 2 KB chat completion "
        + "(sink %d)%n", blocks, CALLS_PER_BLOCK, sink);
    for (int v = 0; v < VARIANTS.length; v++) {
      double[] sorted = perCall[v].clone();
      Arrays.sort(sorted);
      System.out.printf("%-22s mean per call: median %,6.0f ns (quartiles %,6.0f-%,6.0f)%n",
          VARIANTS[v], sorted[blocks / 2], sorted[blocks / 4], sorted[3 * blocks / 4]);
    }
    Arrays.sort(ratio);
    System.out.printf("overhead ratio llmPulse / micrometerObservation, per block: median %.2f "
        + "(quartiles %.2f-%.2f)%n", ratio[blocks / 2], ratio[blocks / 4], ratio[3 * blocks / 4]);
  }
}

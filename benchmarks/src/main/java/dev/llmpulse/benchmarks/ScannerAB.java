package dev.llmpulse.benchmarks;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * Two builds of LLM Pulse's response scanner in one JVM, each jar in its own class loader, run in
 * alternating blocks of about 20,000 stream events (or 20,000 bodies): a slow phase of a shared
 * machine falls on both alike, so the ratio of the two holds where absolute times do not. It
 * reads the recorded OpenAI, Anthropic and Ollama streams of {@link EventBenchmark}, the 2 KB chat
 * answer of {@link CallBenchmark}, its request body and two 20 KB conversations (ASCII, Chinese;
 * blocks of 1,000). Only the scanner and {@code RequestFacts} are timed (no OkHttp, no metrics);
 * both are reached by reflection, whose cost is the same on both sides and under 2 % of a stream.
 *
 * <pre>
 * benchmarks/ab.sh &lt;base commit&gt;    # from the repository root; builds both, runs this
 * </pre>
 */
public final class ScannerAB {
  private static final int BLOCKS = 200;

  /** One build's scanner, by reflection. */
  private static final class Build {
    final Method builder;
    final Method contentType;
    final Method streamExpected;
    final Method build;
    final Method feed;
    final Method end;
    final Method usage;
    final Method facts;
    final Class<?> wire;

    Build(String jar) throws Exception {
      ClassLoader loader = new URLClassLoader(new URL[] {Paths.get(jar).toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      wire = loader.loadClass("dev.llmpulse.core.WireFormat");
      Class<?> scanner = loader.loadClass("dev.llmpulse.core.internal.ResponseScanner");
      Class<?> b = loader.loadClass("dev.llmpulse.core.internal.ResponseScanner$Builder");
      builder = scanner.getMethod("builder", wire);
      contentType = b.getMethod("contentType", String.class);
      streamExpected = b.getMethod("streamExpected", boolean.class);
      build = b.getMethod("build");
      feed = scanner.getMethod("feed", byte[].class, int.class, int.class);
      end = scanner.getMethod("endOfInput");
      usage = scanner.getMethod("usage");
      facts = loader.loadClass("dev.llmpulse.core.internal.RequestFacts")
          .getMethod("of", wire, String.class, byte[].class, int.class);
    }

    Object format(String name) {
      for (Object f : wire.getEnumConstants()) if (f.toString().equals(name)) return f;
      throw new IllegalArgumentException(name);
    }

    /** Scans one body as an application reads it, in 8 KiB pieces. */
    Object scan(Object format, String type, boolean stream, byte[] body) throws Exception {
      Object b = builder.invoke(null, format);
      contentType.invoke(b, type);
      streamExpected.invoke(b, stream);
      Object s = build.invoke(b);
      for (int at = 0; at < body.length; at += 8192) {
        feed.invoke(s, body, at, Math.min(8192, body.length - at));
      }
      end.invoke(s);
      return usage.invoke(s);
    }
  }

  private interface Op {
    void run(Build build, Object format) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) throw new IllegalArgumentException("usage: ScannerAB <jar A> <jar B>");
    Build a = new Build(args[0]);
    Build b = new Build(args[1]);
    System.out.printf("A = %s%nB = %s%n", args[0], args[1]);
    String[][] streams = {
      {"openai", "OPENAI_CHAT"}, {"anthropic", "ANTHROPIC_MESSAGES"}, {"ollama", "OLLAMA_CHAT"},
    };
    for (String[] s : streams) {
      RecordedStream recorded = RecordedStream.of(s[0], 300);
      String type = recorded.type.toString();
      compare(s[0] + " stream", "event", recorded.events, 20_000, a, b, s[1],
          (build, format) -> build.scan(format, type, true, recorded.body));
    }
    byte[] body = Payloads.CHAT_RESPONSE;
    compare("2 KB chat answer", "body", 1, 20_000, a, b, "OPENAI_CHAT",
        (build, format) -> build.scan(format, "application/json", false, body));
    byte[] request = Payloads.CHAT_REQUEST;
    compare("request facts", "request", 1, 20_000, a, b, "OPENAI_CHAT",
        (build, format) -> build.facts.invoke(null, format, Payloads.PATH, request, request.length));
    for (String[] prompt : new String[][] {
        {"20 KB request", "Where is my order 1234? It left on Monday. "},
        {"20 KB zh request", "\u6211\u7684\u8ba2\u5355\u5728\u54ea\u91cc\uff1f\u5b83\u5468\u4e00"
            + "\u5df2\u7ecf\u53d1\u8d27\u3002"}}) {
      byte[] large = conversation(prompt[1], 20 * 1024);
      compare(prompt[0], "request", 1, 1_000, a, b, "OPENAI_CHAT",
          (build, format) -> build.facts.invoke(null, format, Payloads.PATH, large, large.length));
    }
  }

  /**
   * A chat request of about {@code size} bytes: a conversation of user and assistant turns
   * repeating {@code sentence}, the model and stream fields after it, as OpenAI's SDKs write them.
   */
  private static byte[] conversation(String sentence, int size) {
    StringBuilder json = new StringBuilder("{\"messages\":[");
    for (int turn = 0; json.toString().getBytes(StandardCharsets.UTF_8).length < size; turn++) {
      if (turn > 0) json.append(',');
      json.append("{\"role\":\"").append(turn % 2 == 0 ? "user" : "assistant")
          .append("\",\"content\":\"").append(sentence.repeat(8)).append("\"}");
    }
    json.append("],\"model\":\"gpt-4o-mini\",\"stream\":true,\"temperature\":0.2}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void compare(String what, String unit, int events, int eventsPerBlock, Build a,
      Build b, String format, Op op) throws Exception {
    Object fa = a.format(format);
    Object fb = b.format(format);
    int ops = Math.max(1, eventsPerBlock / events);
    for (int i = 0; i < 20 * ops; i++) { // warm-up: both compiled before the first block
      op.run(a, fa);
      op.run(b, fb);
    }
    double[] ta = new double[BLOCKS];
    double[] tb = new double[BLOCKS];
    double[] ratio = new double[BLOCKS];
    for (int k = 0; k < BLOCKS; k++) {
      boolean aFirst = (k & 1) == 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < ops; i++) op.run(aFirst ? a : b, aFirst ? fa : fb);
      long t1 = System.nanoTime();
      for (int i = 0; i < ops; i++) op.run(aFirst ? b : a, aFirst ? fb : fa);
      long t2 = System.nanoTime();
      double first = (t1 - t0) / (double) ops / events;
      double second = (t2 - t1) / (double) ops / events;
      ta[k] = aFirst ? first : second;
      tb[k] = aFirst ? second : first;
      ratio[k] = tb[k] / ta[k];
    }
    Arrays.sort(ta);
    Arrays.sort(tb);
    Arrays.sort(ratio);
    System.out.printf("%-18s A %,7.0f ns  B %,7.0f ns per %s (medians of %d blocks); "
        + "B/A %.2f (quartiles %.2f-%.2f)%n", what, ta[BLOCKS / 2], tb[BLOCKS / 2], unit, BLOCKS,
        ratio[BLOCKS / 2], ratio[BLOCKS / 4], ratio[3 * BLOCKS / 4]);
  }
}

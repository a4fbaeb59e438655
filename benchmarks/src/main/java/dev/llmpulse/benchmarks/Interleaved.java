package dev.llmpulse.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The comparison as one command: rounds of one JMH fork per variant, the variants' order rotated
 * each round, so that a slow phase of a shared machine hits every variant alike; ratios are taken
 * within a round (overhead = variant − bare; LLM Pulse's overhead / Micrometer observation's) and
 * then summarised across rounds (median, min–max). Load average before and after each round.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.llmpulse.benchmarks.Interleaved [rounds] [call|events|all]
 * </pre>
 *
 * The call: {@link CallBenchmark} in sample mode (p50 and mean per call, B/op by the GC profiler).
 * The events: {@link EventBenchmark} in sample mode, one whole recorded stream per op, per event
 * by division of the medians.
 * JMH's own log goes to temporary files, one per fork, whose common prefix is printed.
 */
public final class Interleaved {
  private static final String[] CALL_VARIANTS = {"bare", "micrometerObservation", "llmPulse"};
  private static final String[] EVENT_VARIANTS = {"bare", "llmPulse"};
  private static final String[] FORMATS = {"openai", "anthropic", "ollama"};
  /** Pre-warm by work, not only by time (2 s): ~1 s of calls, ~0.5 s of streams when idle. */
  private static final long CALL_PREWARM_OPS = 150_000;
  private static final long STREAM_PREWARM_OPS = 1_000;

  private final Path log;
  private int forks;
  private final StringBuilder out = new StringBuilder();

  private Interleaved(Path log) {
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String what = args.length > 1 ? args[1] : "all";
    Path log = Files.createTempFile("llmpulse-jmh-", ".log");
    Interleaved run = new Interleaved(log);
    run.line("JMH logs: " + log + ".<fork number>");
    run.line(String.format(Locale.ROOT, "nproc %d, %s, %s", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.version")));
    if (what.equals("attribution")) {
      run.attribution(rounds);
      return;
    }
    if (!what.equals("events")) run.calls(rounds);
    if (!what.equals("call")) run.events(rounds);
  }

  // ---- the in-process call

  private void calls(int rounds) throws RunnerException, IOException {
    List<Map<String, double[]>> perRound = new ArrayList<>(); // variant -> {p50, mean, B/op}
    List<String> loads = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      String before = loadAverage();
      Map<String, double[]> round = new LinkedHashMap<>();
      for (String v : rotate(CALL_VARIANTS, r)) {
        RunResult res = new Runner(options(CallBenchmark.class, Mode.SampleTime, CALL_PREWARM_OPS)
            .param("variant", v).build()).runSingle();
        Result<?> p = res.getPrimaryResult();
        round.put(v, new double[] {p.getStatistics().getPercentile(50), p.getScore(), alloc(res)});
      }
      perRound.add(round);
      loads.add(before + " → " + loadAverage());
    }
    line("");
    line("In-process 2 KB chat completion, per call (sample mode, ns; B/op from -prof gc)");
    line("");
    line("| round | load avg (1 min) before → after | bare p50 / mean | micrometerObservation p50 / mean"
        + " | llmPulse p50 / mean | overhead ratio p50 | overhead ratio mean | B/op bare / µObs / llmPulse |");
    line("|---|---|---:|---:|---:|---:|---:|---:|");
    double[] rp50 = new double[rounds];
    double[] rmean = new double[rounds];
    double[] ralloc = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      Map<String, double[]> m = perRound.get(r);
      double[] b = m.get("bare");
      double[] o = m.get("micrometerObservation");
      double[] l = m.get("llmPulse");
      rp50[r] = (l[0] - b[0]) / (o[0] - b[0]);
      rmean[r] = (l[1] - b[1]) / (o[1] - b[1]);
      ralloc[r] = l[2] / o[2];
      line(String.format(Locale.ROOT,
          "| %d | %s | %,.0f / %,.0f | %,.0f / %,.0f | %,.0f / %,.0f | %.2f | %.2f | %,.0f / %,.0f / %,.0f |",
          r + 1, loads.get(r), b[0], b[1], o[0], o[1], l[0], l[1], rp50[r], rmean[r],
          b[2], o[2], l[2]));
    }
    line("");
    line("overhead = variant − bare in the same round; ratio = llmPulse's overhead / micrometerObservation's");
    line("ratio p50: " + summary(rp50) + "; ratio mean: " + summary(rmean)
        + "; B/op llmPulse / micrometerObservation: " + summary(ralloc));
  }

  // ---- attribution: the same call, two keys declared and tagged

  private void attribution(int rounds) throws RunnerException, IOException {
    String[] variants = {"llmPulse", "llmPulseAttributed"};
    double[] extraP50 = new double[rounds];
    double[] extraMean = new double[rounds];
    double[] extraAlloc = new double[rounds];
    line("");
    line("In-process 2 KB chat completion with two attribution keys (feature, tenant) tagged,"
        + " against the same call without (sample mode, ns; B/op from -prof gc)");
    line("");
    line("| round | load avg (1 min) before → after | llmPulse p50 / mean | attributed p50 / mean"
        + " | extra ns p50 / mean | extra B/op |");
    line("|---|---|---:|---:|---:|---:|");
    for (int r = 0; r < rounds; r++) {
      String before = loadAverage();
      Map<String, double[]> m = new LinkedHashMap<>();
      for (String v : rotate(variants, r)) {
        RunResult res = new Runner(options(CallBenchmark.class, Mode.SampleTime, CALL_PREWARM_OPS)
            .param("variant", v).build()).runSingle();
        Result<?> p = res.getPrimaryResult();
        m.put(v, new double[] {p.getStatistics().getPercentile(50), p.getScore(), alloc(res)});
      }
      double[] l = m.get("llmPulse");
      double[] a = m.get("llmPulseAttributed");
      extraP50[r] = a[0] - l[0];
      extraMean[r] = a[1] - l[1];
      extraAlloc[r] = a[2] - l[2];
      line(String.format(Locale.ROOT, "| %d | %s | %,.0f / %,.0f | %,.0f / %,.0f | %,.0f / %,.0f | %,.0f |",
          r + 1, before + " → " + loadAverage(), l[0], l[1], a[0], a[1], extraP50[r],
          extraMean[r], extraAlloc[r]));
    }
    line("");
    line("extra ns p50: " + summary(extraP50) + "; extra ns mean: " + summary(extraMean)
        + "; extra B/op: " + summary(extraAlloc));
  }

  // ---- per stream event

  private void events(int rounds) throws RunnerException, IOException {
    Map<String, Integer> eventCount = new LinkedHashMap<>();
    for (String f : FORMATS) eventCount.put(f, RecordedStream.of(f, EventBenchmark.MIN_EVENTS).events);
    List<Map<String, double[]>> perRound = new ArrayList<>(); // format -> {bare ns, llm ns, B/op bare, B/op llm}
    List<String> loads = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      String before = loadAverage();
      Map<String, double[]> round = new LinkedHashMap<>();
      for (String f : FORMATS) {
        double[] x = new double[4];
        for (String v : rotate(EVENT_VARIANTS, r)) {
          RunResult res = new Runner(options(EventBenchmark.class, Mode.SampleTime,
              STREAM_PREWARM_OPS)
              .param("format", f).param("variant", v).build()).runSingle();
          int i = v.equals("bare") ? 0 : 1;
          x[i] = res.getPrimaryResult().getStatistics().getPercentile(50);
          x[i + 2] = alloc(res);
        }
        round.put(f, x);
      }
      perRound.add(round);
      loads.add(before + " → " + loadAverage());
    }
    line("");
    line("Per stream event, in-process (sample mode, median ns of one op = one recorded stream"
        + " read to its end; B/op from -prof gc)");
    line("");
    line("| round | load avg (1 min) before → after | format | events | bare p50 ns/op | llmPulse p50 ns/op"
        + " | overhead ns/event | llmPulse events/s per core | overhead B/event |");
    line("|---|---|---|---:|---:|---:|---:|---:|---:|");
    Map<String, double[]> nsPerEvent = new LinkedHashMap<>();
    Map<String, double[]> eventsPerSecond = new LinkedHashMap<>();
    for (String f : FORMATS) {
      nsPerEvent.put(f, new double[rounds]);
      eventsPerSecond.put(f, new double[rounds]);
    }
    for (int r = 0; r < rounds; r++) {
      for (String f : FORMATS) {
        double[] x = perRound.get(r).get(f);
        int n = eventCount.get(f);
        double per = (x[1] - x[0]) / n;
        double eps = n * 1e9 / x[1];
        nsPerEvent.get(f)[r] = per;
        eventsPerSecond.get(f)[r] = eps;
        line(String.format(Locale.ROOT, "| %d | %s | %s | %,d | %,.0f | %,.0f | %.0f | %,.0f | %.0f |",
            r + 1, loads.get(r), f, n, x[0], x[1], per, eps, (x[3] - x[2]) / n));
      }
    }
    line("");
    for (String f : FORMATS) {
      line(f + ": overhead ns/event " + summary(nsPerEvent.get(f)) + "; events/s per core "
          + summary(eventsPerSecond.get(f)));
    }
  }

  // ---- helpers

  private ChainedOptionsBuilder options(Class<?> benchmark, Mode mode, long prewarmOps) {
    return new OptionsBuilder()
        .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
        .mode(mode)
        .timeUnit(TimeUnit.NANOSECONDS)
        .forks(1)
        .warmupIterations(Integer.getInteger("bench.wi", 3))
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(Integer.getInteger("bench.i", 4))
        .measurementTime(TimeValue.seconds(1))
        .addProfiler(GCProfiler.class)
        .jvmArgsAppend("-Xms1g", "-Xmx1g",
            "-Dbench.prewarmSeconds=" + System.getProperty("bench.prewarmSeconds", "2"),
            "-Dbench.prewarmOps=" + Long.getLong("bench.prewarmOps", prewarmOps))
        .output(log + "." + (++forks)); // JMH truncates its output file: one per fork
  }

  private static double alloc(RunResult res) {
    for (Map.Entry<String, Result> e : res.getSecondaryResults().entrySet()) {
      if (e.getKey().endsWith("gc.alloc.rate.norm")) return e.getValue().getScore();
    }
    return Double.NaN;
  }

  private static String[] rotate(String[] a, int by) {
    String[] r = new String[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[(i + by) % a.length];
    return r;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Paths.get("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static String summary(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return String.format(Locale.ROOT, "median %.2f (min %.2f, max %.2f, n=%d)", median, s[0],
        s[s.length - 1], s.length);
  }

  private void line(String s) {
    System.out.println(s);
    out.append(s).append('\n');
  }
}

package dev.llmpulse.pricing;

import java.util.Arrays;

/**
 * One set of per-token rates in the entry's own currency. Every field is resolved (no gaps): a
 * cache read with no rate of its own costs the input rate, a cache write the input rate, a
 * one-hour write the five-minute write rate, reasoning the output rate.
 */
final class Rates {
  static final int INPUT = 0;
  static final int CACHE_READ = 1;
  static final int CACHE_WRITE = 2;
  static final int CACHE_WRITE_1H = 3;
  static final int OUTPUT = 4;
  static final int REASONING = 5;
  static final int COUNT = 6;

  /** Field names as our JSON format spells them, indexed like the constants above. */
  static final String[] JSON_NAMES =
      {"input", "cache_read", "cache_write", "cache_write_1h", "output", "reasoning"};

  final double input;
  final double cacheRead;
  final double cacheWrite;
  final double cacheWrite1h;
  final double output;
  final double reasoning;

  private Rates(double[] v) {
    this.input = v[INPUT];
    this.cacheRead = v[CACHE_READ];
    this.cacheWrite = v[CACHE_WRITE];
    this.cacheWrite1h = v[CACHE_WRITE_1H];
    this.output = v[OUTPUT];
    this.reasoning = v[REASONING];
  }

  /**
   * Resolves explicit per-token values ({@code NaN} = not given). A tier first takes what it does
   * not state from the base's explicit values ({@code inheritExplicit}); gaps left are then filled
   * from the set's own rates: cache read and write from input, one-hour write from the write
   * rate, reasoning from output. So a tier of a model with no cache discount bills cache reads at
   * the tier's input rate, not the base one.
   */
  static Rates resolve(double[] explicit, double[] inheritExplicit) {
    double[] v = Arrays.copyOf(explicit, COUNT);
    if (inheritExplicit != null) {
      for (int i = 0; i < COUNT; i++) {
        if (Double.isNaN(v[i])) v[i] = inheritExplicit[i];
      }
    }
    if (Double.isNaN(v[CACHE_READ])) v[CACHE_READ] = v[INPUT];
    if (Double.isNaN(v[CACHE_WRITE])) v[CACHE_WRITE] = v[INPUT];
    if (Double.isNaN(v[CACHE_WRITE_1H])) v[CACHE_WRITE_1H] = v[CACHE_WRITE];
    if (Double.isNaN(v[REASONING])) v[REASONING] = v[OUTPUT];
    return new Rates(v);
  }

  double[] toArray() {
    return new double[] {input, cacheRead, cacheWrite, cacheWrite1h, output, reasoning};
  }

  boolean sameAs(Rates o, double relativeTolerance) {
    double[] a = toArray();
    double[] b = o.toArray();
    for (int i = 0; i < COUNT; i++) {
      if (!close(a[i], b[i], relativeTolerance)) return false;
    }
    return true;
  }

  static boolean close(double a, double b, double relativeTolerance) {
    if (a == b) return true;
    return Math.abs(a - b) <= relativeTolerance * Math.max(Math.abs(a), Math.abs(b));
  }

  @Override
  public String toString() {
    double[] v = toArray();
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < COUNT; i++) {
      if (i > 0) sb.append(", ");
      sb.append(JSON_NAMES[i]).append('=').append(v[i] * 1e6);
    }
    return sb.append(" per 1M}").toString();
  }
}

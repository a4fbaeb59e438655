package dev.llmpulse.core.health;

import dev.llmpulse.core.internal.LlmCall;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sliding window of one upstream: a ring of {@link #BUCKETS} time buckets in one
 * {@link AtomicLongArray}, each holding call and failure counts, counts of calls over the latency
 * SLOs (exact: p95 above the SLO means more than 5 % of calls above it) and two small fixed
 * histograms for the reported p95 estimates. Recording is a few atomic adds and allocates
 * nothing; a bucket is reset by the first thread that enters a new period (CAS on its epoch).
 */
final class UpstreamWindow {
  static final int BUCKETS = 20;
  /** Upper bounds (seconds) of the histogram bins; the last bin is open. */
  static final double[] BOUNDS = {0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 120, 300};
  private static final long[] BOUNDS_NANOS = new long[BOUNDS.length];
  static final int BINS = BOUNDS.length + 1;

  private static final int EPOCH = 0;
  private static final int CALLS = 1;
  private static final int FAILURES = 2;
  private static final int SLOW = 3;
  private static final int TTFC_CALLS = 4;
  private static final int SLOW_TTFC = 5;
  private static final int DURATION_BINS = 6;
  private static final int TTFC_BINS = DURATION_BINS + BINS;
  private static final int STRIDE = TTFC_BINS + BINS;
  private static final long RESETTING = -1;

  static {
    for (int i = 0; i < BOUNDS.length; i++) BOUNDS_NANOS[i] = (long) (BOUNDS[i] * 1e9);
  }

  final String provider;
  final String address;
  final String model;
  /** Calls in flight; the value says whether the call was already counted as stalled. */
  final Map<LlmCall, Boolean> inFlight = new ConcurrentHashMap<>();
  /** Calls counted as stalled so far (see {@link #countStalled}); never decreases. */
  final AtomicLong stalled = new AtomicLong();
  final AtomicInteger consecutiveFailures = new AtomicInteger();
  final AtomicReference<HealthState> state = new AtomicReference<>(HealthState.HEALTHY);
  final AtomicLong nextEvaluation;
  volatile long lastFailureNanos;

  private final AtomicLongArray slots = new AtomicLongArray(BUCKETS * STRIDE);
  private final long origin;
  private final long bucketNanos;
  private final long slowNanos;
  private final long slowTtfcNanos;
  private final long stalledAfterNanos;
  /**
   * Latest start (nanos) of a call that ended successfully within the stall threshold; starts
   * far in the past (nanos are compared by difference, so no sentinel can overflow).
   */
  private final AtomicLong lastFastSuccessStart;

  UpstreamWindow(String provider, String address, String model, HealthPolicy policy, long now) {
    this.provider = provider;
    this.address = address;
    this.model = model;
    this.origin = now;
    this.bucketNanos = Math.max(1, policy.windowNanos / BUCKETS);
    this.slowNanos = policy.p95DurationNanos;
    this.slowTtfcNanos = policy.p95TtfcNanos;
    this.stalledAfterNanos = policy.stalledCounterNanos;
    this.lastFastSuccessStart = new AtomicLong(now - Long.MAX_VALUE / 4);
    this.nextEvaluation = new AtomicLong(now);
  }

  long bucketNanos() {
    return bucketNanos;
  }

  /** Records one ended call. */
  void record(long now, boolean failure, long durationNanos, long ttfcNanos) {
    long period = Math.floorDiv(now - origin, bucketNanos);
    long tag = period + 1; // 0 = never used
    int base = (int) Math.floorMod(period, (long) BUCKETS) * STRIDE;
    for (;;) {
      long epoch = slots.get(base + EPOCH);
      if (epoch == tag) break;
      if (epoch == RESETTING) {
        Thread.onSpinWait();
        continue;
      }
      if (epoch > tag) return; // older than the window: the slot already serves a later period
      if (slots.compareAndSet(base + EPOCH, epoch, RESETTING)) {
        for (int i = 1; i < STRIDE; i++) slots.set(base + i, 0);
        slots.set(base + EPOCH, tag);
        break;
      }
    }
    slots.incrementAndGet(base + CALLS);
    if (failure) slots.incrementAndGet(base + FAILURES);
    if (durationNanos > slowNanos) slots.incrementAndGet(base + SLOW);
    slots.incrementAndGet(base + DURATION_BINS + bin(durationNanos));
    if (ttfcNanos >= 0) {
      slots.incrementAndGet(base + TTFC_CALLS);
      if (ttfcNanos > slowTtfcNanos) slots.incrementAndGet(base + SLOW_TTFC);
      slots.incrementAndGet(base + TTFC_BINS + bin(ttfcNanos));
    }
  }

  private static int bin(long nanos) {
    for (int i = 0; i < BOUNDS_NANOS.length; i++) {
      if (nanos <= BOUNDS_NANOS[i]) return i;
    }
    return BOUNDS_NANOS.length;
  }

  /** The window's sums at {@code now}. */
  Summary summarize(long now) {
    long current = Math.floorDiv(now - origin, bucketNanos) + 1;
    long oldest = current - BUCKETS + 1;
    Summary s = new Summary();
    for (int b = 0; b < BUCKETS; b++) {
      int base = b * STRIDE;
      long epoch = slots.get(base + EPOCH);
      if (epoch < oldest || epoch > current) continue;
      s.calls += slots.get(base + CALLS);
      s.failures += slots.get(base + FAILURES);
      s.slow += slots.get(base + SLOW);
      s.ttfcCalls += slots.get(base + TTFC_CALLS);
      s.slowTtfc += slots.get(base + SLOW_TTFC);
      for (int i = 0; i < BINS; i++) {
        s.durationBins[i] += slots.get(base + DURATION_BINS + i);
        s.ttfcBins[i] += slots.get(base + TTFC_BINS + i);
      }
    }
    return s;
  }

  /**
   * Counts, once each, the calls in flight longer than the stall threshold that no later call
   * has overtaken (a call that started after it and already ended successfully within the
   * threshold). Called at scrape time; {@link #ended} counts those that end unseen.
   */
  long countStalled(long now) {
    for (Map.Entry<LlmCall, Boolean> e : inFlight.entrySet()) {
      if (e.getValue()) continue;
      LlmCall call = e.getKey();
      if (now - call.startNanos() > stalledAfterNanos && !overtaken(call.startNanos())
          && inFlight.replace(call, Boolean.FALSE, Boolean.TRUE)) {
        stalled.incrementAndGet();
      }
    }
    return stalled.get();
  }

  /**
   * A call ended: it leaves the in-flight set; if it took longer than the stall threshold
   * without being overtaken and was not counted yet it counts now; a fast success marks every
   * call that started before it as overtaken.
   */
  void ended(LlmCall call, boolean success, long durationNanos) {
    Boolean counted = inFlight.remove(call);
    if (counted == null) return;
    long start = call.startNanos();
    if (durationNanos > stalledAfterNanos) {
      if (!counted && !overtaken(start)) stalled.incrementAndGet();
    } else if (success) {
      lastFastSuccessStart.accumulateAndGet(start,
          (current, candidate) -> current - candidate > 0 ? current : candidate);
    }
  }

  private boolean overtaken(long startNanos) {
    return lastFastSuccessStart.get() - startNanos > 0;
  }

  /** Age of the oldest call in flight, 0 when none. */
  long oldestInFlightNanos(long now) {
    long oldest = 0;
    for (LlmCall call : inFlight.keySet()) {
      oldest = Math.max(oldest, now - call.startNanos());
    }
    return oldest;
  }

  static final class Summary {
    long calls;
    long failures;
    long slow;
    long ttfcCalls;
    long slowTtfc;
    final long[] durationBins = new long[BINS];
    final long[] ttfcBins = new long[BINS];

    /** The 95th percentile estimated from the bins, linear inside a bin; NaN without data. */
    static double p95(long[] bins) {
      long total = 0;
      for (long c : bins) total += c;
      if (total == 0) return Double.NaN;
      double rank = 0.95 * total;
      long cumulative = 0;
      for (int i = 0; i < bins.length; i++) {
        if (bins[i] == 0) continue;
        if (cumulative + bins[i] >= rank) {
          if (i == BOUNDS.length) return BOUNDS[BOUNDS.length - 1];
          double lower = i == 0 ? 0 : BOUNDS[i - 1];
          double fraction = (rank - cumulative) / bins[i];
          return lower + (BOUNDS[i] - lower) * fraction;
        }
        cumulative += bins[i];
      }
      return BOUNDS[BOUNDS.length - 1];
    }
  }
}

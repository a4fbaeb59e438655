package dev.llmpulse.core.health;

import java.time.Duration;

/**
 * How the passive health tracker judges an upstream from the real calls of the last
 * {@link Builder#window window}. Immutable; build with {@link #custom()} or take
 * {@link #ofDefaults()}.
 *
 * <p>Rules, worst first (a rule based on a ratio or a percentile needs at least
 * {@link Builder#minCalls minCalls} calls in the window):
 * <ul>
 *   <li><b>DOWN</b>: error ratio at or above {@code downErrorRatio} (default 0.5), or the last
 *       {@code downAfterConsecutiveFailures} (default 5) calls all failed and the last failure is
 *       inside the window.
 *   <li><b>DEGRADED</b>: error ratio at or above {@code degradedErrorRatio} (default 0.05); p95
 *       duration above {@code p95Duration}; p95 time to first chunk above
 *       {@code p95TimeToFirstChunk}; or a call in flight for longer than {@code stallAfter}
 *       (default: the p95 duration SLO).
 *   <li><b>HEALTHY</b>: otherwise, including a window without calls (no evidence).
 * </ul>
 *
 * <p>Stalled calls: {@code gen_ai_client_requests_stalled_total} counts, once each, the calls in
 * flight longer than {@code stallAfter} (default: the p95 duration SLO, else
 * {@link #DEFAULT_STALLED_COUNTER 10 s}) that no later call overtook, i.e. no call that started
 * after it has ended successfully within that threshold. A hung or uniformly slow upstream
 * counts every call; one long answer among answers that keep coming back fast counts none.
 *
 * <p>Failures are 5xx, 429, {@code timeout}, {@code connect_error}, {@code io_error},
 * {@code invalid_response}, {@code incomplete_stream} and {@code stream_error}. Other 4xx are
 * answers of a working upstream to a bad request and count as successes; {@code canceled} calls
 * are the application's choice and are left out. Latency SLOs are off by default: set them.
 *
 * <pre>{@code
 * HealthPolicy policy = HealthPolicy.custom()
 *     .window(Duration.ofSeconds(60))
 *     .p95Duration(Duration.ofSeconds(5))
 *     .p95TimeToFirstChunk(Duration.ofSeconds(2))
 *     .build();
 * LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder().health(policy).build();
 * }</pre>
 */
public final class HealthPolicy {
  /** The stall threshold of {@code gen_ai_client_requests_stalled_total} when none is set. */
  public static final Duration DEFAULT_STALLED_COUNTER = Duration.ofSeconds(10);
  private static final HealthPolicy DEFAULTS = custom().build();

  final long windowNanos;
  final int minCalls;
  final double degradedErrorRatio;
  final double downErrorRatio;
  final int downAfterConsecutiveFailures;
  final long p95DurationNanos;
  final long p95TtfcNanos;
  final long stallAfterNanos;
  /** Threshold of {@code gen_ai_client_requests_stalled_total}: stallAfter, else 10 s. */
  final long stalledCounterNanos;
  final boolean perModel;

  private HealthPolicy(Builder b) {
    this.windowNanos = b.window.toNanos();
    this.minCalls = b.minCalls;
    this.degradedErrorRatio = b.degradedErrorRatio;
    this.downErrorRatio = b.downErrorRatio;
    this.downAfterConsecutiveFailures = b.downAfterConsecutiveFailures;
    this.p95DurationNanos = b.p95Duration == null ? Long.MAX_VALUE : b.p95Duration.toNanos();
    this.p95TtfcNanos =
        b.p95TimeToFirstChunk == null ? Long.MAX_VALUE : b.p95TimeToFirstChunk.toNanos();
    Duration stall = b.stallAfter != null ? b.stallAfter : b.p95Duration;
    this.stallAfterNanos = stall == null ? Long.MAX_VALUE : stall.toNanos();
    this.stalledCounterNanos = stall == null ? DEFAULT_STALLED_COUNTER.toNanos() : stall.toNanos();
    this.perModel = b.perModel;
  }

  /** 60 s window, min 5 calls, degraded at 5 % errors, down at 50 % or 5 failures in a row. */
  public static HealthPolicy ofDefaults() {
    return DEFAULTS;
  }

  public static Builder custom() {
    return new Builder();
  }

  /** The window the ratios and percentiles are computed over. */
  public Duration window() {
    return Duration.ofNanos(windowNanos);
  }

  /** True when each request model is tracked (and exported) as its own upstream. */
  public boolean perModel() {
    return perModel;
  }

  @Override
  public String toString() {
    return "HealthPolicy{window=" + window() + ", minCalls=" + minCalls
        + ", degradedErrorRatio=" + degradedErrorRatio + ", downErrorRatio=" + downErrorRatio
        + ", downAfterConsecutiveFailures=" + downAfterConsecutiveFailures
        + ", p95Duration=" + nanosText(p95DurationNanos)
        + ", p95TimeToFirstChunk=" + nanosText(p95TtfcNanos)
        + ", stallAfter=" + nanosText(stallAfterNanos)
        + ", stalledCounter=" + nanosText(stalledCounterNanos) + ", perModel=" + perModel + '}';
  }

  private static String nanosText(long nanos) {
    return nanos == Long.MAX_VALUE ? "off" : Duration.ofNanos(nanos).toString();
  }

  /** Configures a {@link HealthPolicy}; every setting is optional and validated when set. */
  public static final class Builder {
    private Duration window = Duration.ofSeconds(60);
    private int minCalls = 5;
    private double degradedErrorRatio = 0.05;
    private double downErrorRatio = 0.5;
    private int downAfterConsecutiveFailures = 5;
    private Duration p95Duration;
    private Duration p95TimeToFirstChunk;
    private Duration stallAfter;
    private boolean perModel;

    private Builder() {}

    /** The sliding window, 10 s to 1 h; default 60 s. It moves in twentieths of itself. */
    public Builder window(Duration window) {
      requirePositive(window, "window");
      if (window.compareTo(Duration.ofSeconds(10)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("window must be between 10 s and 1 h: " + window);
      }
      this.window = window;
      return this;
    }

    /** Calls needed in the window before ratios and percentiles count; default 5. */
    public Builder minCalls(int minCalls) {
      if (minCalls < 1) throw new IllegalArgumentException("minCalls must be >= 1: " + minCalls);
      this.minCalls = minCalls;
      return this;
    }

    /** Error ratio (0..1] from which the upstream is DEGRADED; default 0.05. */
    public Builder degradedErrorRatio(double ratio) {
      this.degradedErrorRatio = ratio(ratio, "degradedErrorRatio");
      return this;
    }

    /** Error ratio (0..1] from which the upstream is DOWN; default 0.5. */
    public Builder downErrorRatio(double ratio) {
      this.downErrorRatio = ratio(ratio, "downErrorRatio");
      return this;
    }

    /** Consecutive failed calls that make the upstream DOWN at once; default 5. */
    public Builder downAfterConsecutiveFailures(int failures) {
      if (failures < 1) {
        throw new IllegalArgumentException("downAfterConsecutiveFailures must be >= 1: " + failures);
      }
      this.downAfterConsecutiveFailures = failures;
      return this;
    }

    /** DEGRADED when the window's p95 call duration (start to end of body) is above this. */
    public Builder p95Duration(Duration slo) {
      this.p95Duration = requirePositive(slo, "p95Duration");
      return this;
    }

    /** DEGRADED when the window's p95 time to first chunk (streams) is above this. */
    public Builder p95TimeToFirstChunk(Duration slo) {
      this.p95TimeToFirstChunk = requirePositive(slo, "p95TimeToFirstChunk");
      return this;
    }

    /**
     * DEGRADED while a call has been in flight longer than this (a hung upstream shows before
     * any call ends). Default: the {@link #p95Duration} SLO; off when neither is set. Also the
     * threshold of {@code gen_ai_client_requests_stalled_total} (there: 10 s when neither is set).
     */
    public Builder stallAfter(Duration stallAfter) {
      this.stallAfter = requirePositive(stallAfter, "stallAfter");
      return this;
    }

    /**
     * Tracks each request model as its own upstream (the {@code gen_ai_request_model} label of
     * {@code gen_ai_client_upstream_state} is then set; else it is empty). Default false.
     */
    public Builder perModel(boolean perModel) {
      this.perModel = perModel;
      return this;
    }

    public HealthPolicy build() {
      if (degradedErrorRatio > downErrorRatio) {
        throw new IllegalArgumentException("degradedErrorRatio " + degradedErrorRatio
            + " is above downErrorRatio " + downErrorRatio);
      }
      return new HealthPolicy(this);
    }

    private static double ratio(double ratio, String name) {
      if (!(ratio > 0 && ratio <= 1)) {
        throw new IllegalArgumentException(name + " must be in (0, 1]: " + ratio);
      }
      return ratio;
    }

    private static Duration requirePositive(Duration d, String name) {
      if (d == null) throw new NullPointerException(name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}

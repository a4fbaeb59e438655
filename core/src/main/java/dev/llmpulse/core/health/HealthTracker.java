package dev.llmpulse.core.health;

import dev.llmpulse.core.internal.CallObserver;
import dev.llmpulse.core.internal.CallOutcome;
import dev.llmpulse.core.internal.LlmCall;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Passive health of every upstream (provider + server address, optionally + request model) from
 * the real calls a binding observes, judged by a {@link HealthPolicy} over a sliding window. The
 * application reads it ({@link #state}, {@link #upstreams()}) and subscribes to changes
 * ({@link #addListener}) to shed load or fail over; Prometheus scrapes it as:
 *
 * <pre>
 * gen_ai_client_upstream_state{gen_ai_provider_name="openai",server_address="api.openai.com",gen_ai_request_model="",state="degraded"} 1
 * gen_ai_client_upstream_state{gen_ai_provider_name="openai",server_address="api.openai.com",gen_ai_request_model="",state="down"} 0
 * gen_ai_client_upstream_state{gen_ai_provider_name="openai",server_address="api.openai.com",gen_ai_request_model="",state="healthy"} 0
 * gen_ai_client_oldest_in_flight_seconds{gen_ai_provider_name="openai",server_address="api.openai.com"} 14.2
 * gen_ai_client_requests_stalled_total{gen_ai_provider_name="openai",server_address="api.openai.com"} 8.0
 * </pre>
 *
 * <p>Recording a call is a few atomic adds on its upstream's bucket ring (no lock, no allocation
 * besides the in-flight set entry); the state is re-evaluated at most once a second per upstream
 * on the calling thread, at once when a failure streak reaches the DOWN threshold, and always
 * when read or scraped, so time passing (a stall, a window emptying) is seen without traffic.
 *
 * <pre>{@code
 * HealthTracker health = interceptor.health();
 * health.addListener((upstream, from, to) -> log.warn(upstream.serverAddress() + ": " + to));
 * if (health.state("openai", "api.openai.com") != HealthState.HEALTHY) useFallbackProvider();
 * }</pre>
 */
public final class HealthTracker implements CallObserver {
  /** A state set exported as a gauge: label {@code state}, 1 for the current state, 0 for others. */
  public static final String UPSTREAM_STATE = "gen_ai_client_upstream_state";
  public static final String OLDEST_IN_FLIGHT = "gen_ai_client_oldest_in_flight_seconds";
  /**
   * A counter (exposed with {@code _total}): calls in flight longer than the stall threshold
   * that no later call overtook, once each; see {@link HealthPolicy}.
   */
  public static final String REQUESTS_STALLED = "gen_ai_client_requests_stalled";

  static final int MAX_UPSTREAMS = 1000;
  private static final Logger LOG = Logger.getLogger(HealthTracker.class.getName());
  private static final long MAX_EVALUATION_INTERVAL_NANOS = 1_000_000_000L;

  private final HealthPolicy policy;
  private final LongSupplier clock;
  private final Map<String, Map<String, Map<String, UpstreamWindow>>> byProvider =
      new ConcurrentHashMap<>();
  private final AtomicInteger upstreamCount = new AtomicInteger();
  private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean loggedListenerError = new AtomicBoolean();

  private HealthTracker(HealthPolicy policy, LongSupplier clock) {
    this.policy = policy;
    this.clock = clock;
  }

  /**
   * A tracker whose metrics go to {@code registry} (registered once per registry and shared by
   * every tracker on it), or nowhere when {@code registry} is null.
   *
   * @param clock monotonic nanoseconds, the same as the calls' clock ({@code System::nanoTime})
   */
  public static HealthTracker create(HealthPolicy policy, PrometheusRegistry registry,
      LongSupplier clock) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(clock, "clock");
    HealthTracker tracker = new HealthTracker(policy, clock);
    if (registry != null) HealthMetrics.attach(registry, tracker);
    return tracker;
  }

  public HealthPolicy policy() {
    return policy;
  }

  /** Calls {@code listener} on every state change from now on. */
  public void addListener(HealthListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(HealthListener listener) {
    listeners.remove(listener);
  }

  /**
   * The state of an upstream now: the worst over its models when models are tracked
   * separately; {@link HealthState#HEALTHY} for an upstream never seen.
   */
  public HealthState state(String providerName, String serverAddress) {
    Map<String, Map<String, UpstreamWindow>> byAddress = byProvider.get(providerName);
    Map<String, UpstreamWindow> byModel = byAddress == null ? null : byAddress.get(serverAddress);
    HealthState worst = HealthState.HEALTHY;
    if (byModel == null) return worst;
    long now = clock.getAsLong();
    for (UpstreamWindow u : byModel.values()) worst = worst.worst(evaluate(u, now).state());
    return worst;
  }

  /** The state of one model of an upstream (policy with {@code perModel}); HEALTHY if unseen. */
  public HealthState state(String providerName, String serverAddress, String requestModel) {
    if (!policy.perModel) return state(providerName, serverAddress);
    UpstreamWindow u = find(providerName, serverAddress, requestModel);
    return u == null ? HealthState.HEALTHY : evaluate(u, clock.getAsLong()).state();
  }

  /** Every upstream seen so far, evaluated now. */
  public List<UpstreamStatus> upstreams() {
    long now = clock.getAsLong();
    List<UpstreamStatus> all = new ArrayList<>();
    for (Map<String, Map<String, UpstreamWindow>> byAddress : byProvider.values()) {
      for (Map<String, UpstreamWindow> byModel : byAddress.values()) {
        for (UpstreamWindow u : byModel.values()) all.add(evaluate(u, now));
      }
    }
    return all;
  }

  @Override
  public void callStarted(LlmCall call) {
    UpstreamWindow u = upstream(call);
    if (u != null) u.inFlight.put(call, Boolean.FALSE);
  }

  @Override
  public void callEnded(LlmCall call, CallOutcome outcome, long durationNanos,
      long timeToFirstChunkNanos) {
    UpstreamWindow u = upstream(call);
    if (u == null) return;
    CallOutcome.Kind kind = outcome.kind();
    u.ended(call, kind == CallOutcome.Kind.SUCCESS, durationNanos);
    if (kind == CallOutcome.Kind.IGNORED) return;
    long now = clock.getAsLong();
    boolean failure = kind == CallOutcome.Kind.FAILURE;
    u.record(now, failure, durationNanos, timeToFirstChunkNanos);
    boolean streakReached = false;
    if (failure) {
      u.lastFailureNanos = now;
      streakReached = u.consecutiveFailures.incrementAndGet() == policy.downAfterConsecutiveFailures;
    } else if (u.consecutiveFailures.get() != 0) {
      u.consecutiveFailures.set(0);
    }
    long next = u.nextEvaluation.get();
    long interval = Math.min(u.bucketNanos(), MAX_EVALUATION_INTERVAL_NANOS);
    if (streakReached
        || (now - next >= 0 && u.nextEvaluation.compareAndSet(next, now + interval))) {
      evaluate(u, now);
    }
  }

  /** Adds the oldest in-flight age per (provider, address) into {@code into}, keeping maxima. */
  void oldestInFlight(Map<List<String>, Double> into) {
    long now = clock.getAsLong();
    for (Map<String, Map<String, UpstreamWindow>> byAddress : byProvider.values()) {
      for (Map<String, UpstreamWindow> byModel : byAddress.values()) {
        for (UpstreamWindow u : byModel.values()) {
          double age = u.oldestInFlightNanos(now) / 1e9;
          into.merge(List.of(u.provider, u.address), age, Math::max);
        }
      }
    }
  }

  /**
   * Adds the count of stalled calls per (provider, address) into {@code into}, summing: counts
   * the calls in flight that crossed the stall threshold since the last look first.
   */
  void stalledCalls(Map<List<String>, Long> into) {
    long now = clock.getAsLong();
    for (Map<String, Map<String, UpstreamWindow>> byAddress : byProvider.values()) {
      for (Map<String, UpstreamWindow> byModel : byAddress.values()) {
        for (UpstreamWindow u : byModel.values()) {
          into.merge(List.of(u.provider, u.address), u.countStalled(now), Long::sum);
        }
      }
    }
  }

  private UpstreamWindow find(String provider, String address, String model) {
    Map<String, Map<String, UpstreamWindow>> byAddress = byProvider.get(provider);
    Map<String, UpstreamWindow> byModel = byAddress == null ? null : byAddress.get(address);
    return byModel == null ? null : byModel.get(policy.perModel ? model : "");
  }

  private UpstreamWindow upstream(LlmCall call) {
    String model = policy.perModel ? call.requestModel() : "";
    UpstreamWindow u = find(call.providerName(), call.serverAddress(), model);
    if (u != null) return u;
    if (upstreamCount.get() >= MAX_UPSTREAMS) return null;
    Map<String, UpstreamWindow> byModel = byProvider
        .computeIfAbsent(call.providerName(), p -> new ConcurrentHashMap<>())
        .computeIfAbsent(call.serverAddress(), a -> new ConcurrentHashMap<>());
    return byModel.computeIfAbsent(model, m -> {
      upstreamCount.incrementAndGet();
      return new UpstreamWindow(call.providerName(), call.serverAddress(), m, policy,
          clock.getAsLong());
    });
  }

  private UpstreamStatus evaluate(UpstreamWindow u, long now) {
    UpstreamWindow.Summary s = u.summarize(now);
    long oldestNanos = u.oldestInFlightNanos(now);
    int streak = u.consecutiveFailures.get();
    boolean enough = s.calls >= policy.minCalls;
    double ratio = s.calls == 0 ? 0 : (double) s.failures / s.calls;
    HealthState state;
    String reason;
    if (streak >= policy.downAfterConsecutiveFailures
        && now - u.lastFailureNanos < policy.windowNanos) {
      state = HealthState.DOWN;
      reason = streak + " consecutive failures";
    } else if (enough && ratio >= policy.downErrorRatio) {
      state = HealthState.DOWN;
      reason = "error ratio " + format(ratio) + " >= " + policy.downErrorRatio;
    } else if (enough && ratio >= policy.degradedErrorRatio) {
      state = HealthState.DEGRADED;
      reason = "error ratio " + format(ratio) + " >= " + policy.degradedErrorRatio;
    } else if (enough && s.slow * 20 > s.calls) {
      state = HealthState.DEGRADED;
      reason = "p95 duration above " + seconds(policy.p95DurationNanos) + " s";
    } else if (s.ttfcCalls >= policy.minCalls && s.slowTtfc * 20 > s.ttfcCalls) {
      state = HealthState.DEGRADED;
      reason = "p95 time to first chunk above " + seconds(policy.p95TtfcNanos) + " s";
    } else if (oldestNanos > policy.stallAfterNanos) {
      state = HealthState.DEGRADED;
      reason = "a call in flight for " + format(oldestNanos / 1e9) + " s > "
          + seconds(policy.stallAfterNanos) + " s";
    } else {
      state = HealthState.HEALTHY;
      reason = "ok";
    }
    UpstreamStatus status = new UpstreamStatus(u.provider, u.address, u.model, state, reason,
        s.calls, s.failures, streak, UpstreamWindow.Summary.p95(s.durationBins),
        UpstreamWindow.Summary.p95(s.ttfcBins), oldestNanos / 1e9, u.inFlight.size());
    HealthState previous = u.state.get();
    if (previous != state && u.state.compareAndSet(previous, state)) {
      notifyListeners(status, previous, state);
    }
    return status;
  }

  private void notifyListeners(UpstreamStatus status, HealthState from, HealthState to) {
    for (HealthListener listener : listeners) {
      try {
        listener.stateChanged(status, from, to);
      } catch (RuntimeException e) {
        if (loggedListenerError.compareAndSet(false, true)) {
          LOG.log(Level.WARNING, "LLM Pulse health listener threw (logged once)", e);
        }
      }
    }
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.3g", value);
  }

  private static String seconds(long nanos) {
    return format(nanos / 1e9);
  }
}

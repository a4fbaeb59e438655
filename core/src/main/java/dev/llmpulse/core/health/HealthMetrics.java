package dev.llmpulse.core.health;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The health metrics of one registry, computed at scrape time from every live tracker on it (the
 * same upstream seen by two trackers shows its worst state and its oldest call). Registered once
 * per registry.
 */
final class HealthMetrics {
  private static final Map<PrometheusRegistry, HealthMetrics> BY_REGISTRY = new WeakHashMap<>();
  /**
   * A state set, exported the way the metric contract names it: one gauge series per state,
   * label {@code state}, 1 for the current state and 0 for the others. (client_java's StateSet
   * type would name that label after the metric, {@code gen_ai_client_upstream_state}, and cannot
   * be told otherwise; the text exposition of both is a gauge.)
   */
  private static final String[] STATE_LABELS =
      {"gen_ai_provider_name", "server_address", "gen_ai_request_model", "state"};
  private static final HealthState[] STATES = HealthState.values();

  private final List<WeakReference<HealthTracker>> trackers = new CopyOnWriteArrayList<>();

  private HealthMetrics(PrometheusRegistry registry) {
    registry.register(new Collector() {
      @Override
      public MetricSnapshot collect() {
        return states();
      }

      @Override
      public String getPrometheusName() {
        return HealthTracker.UPSTREAM_STATE;
      }
    });
    GaugeWithCallback.builder()
        .name(HealthTracker.OLDEST_IN_FLIGHT)
        .help("Age of the oldest LLM call still in flight per upstream, at scrape time; 0 when none")
        .labelNames("gen_ai_provider_name", "server_address")
        .callback(callback -> {
          for (Map.Entry<List<String>, Double> e : oldest().entrySet()) {
            callback.call(e.getValue(), e.getKey().get(0), e.getKey().get(1));
          }
        })
        .register(registry);
    CounterWithCallback.builder()
        .name(HealthTracker.REQUESTS_STALLED)
        .help("LLM calls in flight longer than the stall threshold (default 10 s) that no later "
            + "call overtook (ended successfully within the threshold), counted once each when "
            + "first seen past it, at scrape time or at their end")
        .labelNames("gen_ai_provider_name", "server_address")
        .callback(callback -> {
          for (Map.Entry<List<String>, Long> e : stalled().entrySet()) {
            callback.call(e.getValue(), e.getKey().get(0), e.getKey().get(1));
          }
        })
        .register(registry);
  }

  static void attach(PrometheusRegistry registry, HealthTracker tracker) {
    HealthMetrics metrics;
    synchronized (BY_REGISTRY) {
      metrics = BY_REGISTRY.computeIfAbsent(registry, HealthMetrics::new);
    }
    metrics.trackers.add(new WeakReference<>(tracker));
  }

  private List<List<UpstreamStatus>> evaluateAll() {
    List<List<UpstreamStatus>> all = new ArrayList<>();
    for (WeakReference<HealthTracker> ref : trackers) {
      HealthTracker tracker = ref.get();
      if (tracker == null) {
        trackers.remove(ref);
      } else {
        all.add(tracker.upstreams());
      }
    }
    return all;
  }

  private GaugeSnapshot states() {
    Map<List<String>, HealthState> worst = new LinkedHashMap<>();
    for (List<UpstreamStatus> statuses : evaluateAll()) {
      for (UpstreamStatus u : statuses) {
        worst.merge(List.of(u.providerName(), u.serverAddress(), u.requestModel()), u.state(),
            HealthState::worst);
      }
    }
    GaugeSnapshot.Builder snapshot = GaugeSnapshot.builder()
        .name(HealthTracker.UPSTREAM_STATE)
        .help("Health of each LLM upstream from its real calls: 1 for the current state "
            + "(healthy, degraded or down), 0 for the others");
    for (Map.Entry<List<String>, HealthState> e : worst.entrySet()) {
      List<String> upstream = e.getKey();
      for (HealthState s : STATES) {
        snapshot.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
            .labels(Labels.of(STATE_LABELS, new String[] {
                upstream.get(0), upstream.get(1), upstream.get(2), s.label()}))
            .value(s == e.getValue() ? 1 : 0)
            .build());
      }
    }
    return snapshot.build();
  }

  private Map<List<String>, Long> stalled() {
    Map<List<String>, Long> stalled = new LinkedHashMap<>();
    for (WeakReference<HealthTracker> ref : trackers) {
      HealthTracker tracker = ref.get();
      if (tracker != null) tracker.stalledCalls(stalled);
    }
    return stalled;
  }

  private Map<List<String>, Double> oldest() {
    Map<List<String>, Double> oldest = new LinkedHashMap<>();
    for (WeakReference<HealthTracker> ref : trackers) {
      HealthTracker tracker = ref.get();
      if (tracker != null) tracker.oldestInFlight(oldest);
    }
    return oldest;
  }
}

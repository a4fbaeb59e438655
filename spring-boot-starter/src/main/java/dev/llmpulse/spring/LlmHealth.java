package dev.llmpulse.spring;

import dev.llmpulse.core.health.HealthState;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.health.UpstreamStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@code llm} health component says, whatever Boot line shows it: DOWN when an upstream
 * is down, else UP; one detail per upstream ({@code provider server_address [model]}) with its
 * state, the reason and the window's numbers. No upstream seen yet is UP (no evidence of
 * trouble). A degraded upstream leaves the component UP: its detail says degraded.
 */
final class LlmHealth {
  private final HealthTracker tracker;

  LlmHealth(HealthTracker tracker) {
    this.tracker = tracker;
  }

  /** True when the component is DOWN. */
  boolean down(List<UpstreamStatus> upstreams) {
    for (UpstreamStatus u : upstreams) {
      if (u.state() == HealthState.DOWN) return true;
    }
    return false;
  }

  List<UpstreamStatus> upstreams() {
    return tracker.upstreams();
  }

  Map<String, Object> details(List<UpstreamStatus> upstreams) {
    Map<String, Object> details = new LinkedHashMap<>();
    for (UpstreamStatus u : upstreams) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("state", u.state().label());
      d.put("reason", u.reason());
      d.put("provider", u.providerName());
      d.put("serverAddress", u.serverAddress());
      if (!u.requestModel().isEmpty()) d.put("requestModel", u.requestModel());
      d.put("calls", u.calls());
      d.put("failures", u.failures());
      d.put("consecutiveFailures", u.consecutiveFailures());
      d.put("inFlight", u.inFlight());
      if (!Double.isNaN(u.p95DurationSeconds())) d.put("p95DurationSeconds", u.p95DurationSeconds());
      if (!Double.isNaN(u.p95TimeToFirstChunkSeconds())) {
        d.put("p95TimeToFirstChunkSeconds", u.p95TimeToFirstChunkSeconds());
      }
      d.put("oldestInFlightSeconds", u.oldestInFlightSeconds());
      String key = u.providerName() + " " + u.serverAddress()
          + (u.requestModel().isEmpty() ? "" : " " + u.requestModel());
      details.put(key, d);
    }
    return details;
  }
}

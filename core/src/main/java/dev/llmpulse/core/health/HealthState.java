package dev.llmpulse.core.health;

/**
 * The health of one upstream (provider and server address, optionally one model), as the passive
 * tracker sees the real calls. Ordered from best to worst: {@code compareTo} ranks them.
 *
 * <pre>{@code
 * if (interceptor.health().state("openai", "api.openai.com") == HealthState.DOWN) failOver();
 * }</pre>
 */
public enum HealthState {
  /** No evidence of trouble in the window (including: no calls at all). */
  HEALTHY("healthy"),
  /** Error ratio or latency above the policy's SLOs, or a call stalled past its SLO. */
  DEGRADED("degraded"),
  /** Error ratio above the high threshold, or too many consecutive failures. */
  DOWN("down");

  private final String label;

  HealthState(String label) {
    this.label = label;
  }

  /** The state's name in {@code gen_ai_client_upstream_state}: healthy, degraded, down. */
  public String label() {
    return label;
  }

  HealthState worst(HealthState other) {
    return other != null && other.compareTo(this) > 0 ? other : this;
  }
}

package dev.llmpulse.core.health;

import java.time.Duration;

/**
 * One upstream's health as evaluated at one instant: its state, why, and the window's numbers.
 * Immutable.
 *
 * <pre>{@code
 * for (UpstreamStatus u : interceptor.health().upstreams()) {
 *   log.info(u.serverAddress() + " " + u.state() + " " + u.reason());
 * }
 * }</pre>
 */
public final class UpstreamStatus {
  private final String provider;
  private final String address;
  private final String model;
  private final HealthState state;
  private final String reason;
  private final long calls;
  private final long failures;
  private final int consecutiveFailures;
  private final double p95DurationSeconds;
  private final double p95TtfcSeconds;
  private final double oldestInFlightSeconds;
  private final int inFlight;

  UpstreamStatus(String provider, String address, String model, HealthState state, String reason,
      long calls, long failures, int consecutiveFailures, double p95DurationSeconds,
      double p95TtfcSeconds, double oldestInFlightSeconds, int inFlight) {
    this.provider = provider;
    this.address = address;
    this.model = model;
    this.state = state;
    this.reason = reason;
    this.calls = calls;
    this.failures = failures;
    this.consecutiveFailures = consecutiveFailures;
    this.p95DurationSeconds = p95DurationSeconds;
    this.p95TtfcSeconds = p95TtfcSeconds;
    this.oldestInFlightSeconds = oldestInFlightSeconds;
    this.inFlight = inFlight;
  }

  /** The {@code gen_ai_provider_name}. */
  public String providerName() {
    return provider;
  }

  /** The {@code server_address}. */
  public String serverAddress() {
    return address;
  }

  /** The request model, empty unless the policy tracks models separately. */
  public String requestModel() {
    return model;
  }

  public HealthState state() {
    return state;
  }

  /** Why the state is what it is, e.g. {@code "error ratio 0.62 >= 0.5"}; "ok" when healthy. */
  public String reason() {
    return reason;
  }

  /** Calls that ended in the window (canceled ones left out). */
  public long calls() {
    return calls;
  }

  /** Failed calls in the window. */
  public long failures() {
    return failures;
  }

  /** failures / calls, 0 without calls. */
  public double errorRatio() {
    return calls == 0 ? 0 : (double) failures / calls;
  }

  /** Failures since the last success. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Estimated p95 duration of the window's calls (from a fixed histogram); NaN without calls. */
  public double p95DurationSeconds() {
    return p95DurationSeconds;
  }

  /** Estimated p95 time to first chunk of the window's streams; NaN without streams. */
  public double p95TimeToFirstChunkSeconds() {
    return p95TtfcSeconds;
  }

  /** Age of the oldest call still in flight, 0 when none. */
  public double oldestInFlightSeconds() {
    return oldestInFlightSeconds;
  }

  /** Calls in flight now. */
  public int inFlight() {
    return inFlight;
  }

  /** The age of the oldest call in flight as a Duration. */
  public Duration oldestInFlight() {
    return Duration.ofNanos((long) (oldestInFlightSeconds * 1e9));
  }

  @Override
  public String toString() {
    return "UpstreamStatus{" + provider + ' ' + address + (model.isEmpty() ? "" : ' ' + model)
        + ": " + state + " (" + reason + "), calls=" + calls + ", failures=" + failures
        + ", consecutiveFailures=" + consecutiveFailures + ", p95=" + p95DurationSeconds
        + "s, p95ttfc=" + p95TtfcSeconds + "s, inFlight=" + inFlight + ", oldestInFlight="
        + oldestInFlightSeconds + "s}";
  }
}

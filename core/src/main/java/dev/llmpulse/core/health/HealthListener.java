package dev.llmpulse.core.health;

/**
 * Told when an upstream's state changes, once per transition, on the thread that noticed it (an
 * application thread ending a call, a scrape, or a {@link HealthTracker} read). Must be fast and
 * must not block; exceptions are logged and swallowed. Two transitions of one upstream can be
 * reported from two threads at once.
 *
 * <pre>{@code
 * interceptor.health().addListener((upstream, from, to) -> {
 *   if (to == HealthState.DOWN) router.avoid(upstream.serverAddress());
 *   if (to == HealthState.HEALTHY) router.restore(upstream.serverAddress());
 * });
 * }</pre>
 */
@FunctionalInterface
public interface HealthListener {
  /**
   * @param upstream the upstream's status as evaluated when the change was seen
   * @param from the previous state
   * @param to the new state, same as {@code upstream.state()}
   */
  void stateChanged(UpstreamStatus upstream, HealthState from, HealthState to);
}

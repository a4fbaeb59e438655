package dev.llmpulse.core.internal;


/**
 * The metric sets already recording one call, innermost first: a binding attaches it to the
 * request it passes on, so a second LLM Pulse layer on the same registry further down (the same
 * interceptor added twice, an SDK adapter over an instrumented transport) passes the call through
 * instead of counting it again. Layers on other registries still record it.
 *
 * <p>Part of the binding contract: no compatibility promise.
 *
 * <pre>{@code
 * RecordedBy recorded = markOf(request);                  // however the client carries it
 * if (recorded != null && recorded.includes(metrics)) return next.execute(request);
 * request = withMark(request, RecordedBy.adding(metrics, recorded));
 * }</pre>
 */
public final class RecordedBy {
  private final LlmMetrics metrics;
  private final RecordedBy outer;

  private RecordedBy(LlmMetrics metrics, RecordedBy outer) {
    this.metrics = metrics;
    this.outer = outer;
  }

  /** {@code outer} (null when none) plus {@code metrics}. */
  public static RecordedBy adding(LlmMetrics metrics, RecordedBy outer) {
    return new RecordedBy(metrics, outer);
  }

  /** True when {@code metrics} already records this call. */
  public boolean includes(LlmMetrics m) {
    for (RecordedBy r = this; r != null; r = r.outer) {
      if (r.metrics == m) return true;
    }
    return false;
  }
}

package dev.llmpulse.core.internal;

/**
 * Sees every call a binding observes, as it starts and once as it ends: the passive health
 * tracker is one. Called on the application's threads: implementations must be fast,
 * thread-safe, must not block and must not throw (a throw is counted as an internal error).
 *
 * <pre>{@code
 * CallObserver slowCalls = new CallObserver() {
 *   public void callStarted(LlmCall call) {}
 *   public void callEnded(LlmCall call, CallOutcome outcome, long durationNanos, long ttfcNanos) {
 *     if (durationNanos > 5_000_000_000L) log.warn("slow call to " + call.serverAddress());
 *   }
 * };
 * }</pre>
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public interface CallObserver {
  /** The call started (its {@link LlmCall#startNanos()} is set). */
  void callStarted(LlmCall call);

  /**
   * The call ended, exactly once.
   *
   * @param outcome its {@code error_type} and what that means for the upstream
   * @param durationNanos request start to the end of the body
   * @param timeToFirstChunkNanos streams: request start to the first content chunk; -1 otherwise
   */
  void callEnded(LlmCall call, CallOutcome outcome, long durationNanos,
      long timeToFirstChunkNanos);
}

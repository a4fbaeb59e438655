package dev.llmpulse.core.internal;

import java.lang.ref.Cleaner;

/**
 * Ends a call whose response the application (or its client library) dropped without closing or
 * reading to the end: once the response object is garbage, the call ends as {@code canceled},
 * so it does not stay in flight forever and {@code gen_ai_client_oldest_in_flight_seconds} does
 * not grow without bound. A safety net, not a measurement: such a call's duration is up to the
 * collection. One daemon thread for the JVM, one small phantom reference per call.
 *
 * <p>Part of the binding contract: no compatibility promise.
 *
 * <pre>{@code
 * HttpResponse metered = new MeteredResponse(response, call);
 * UnclosedResponses.endWhenDropped(metered, call); // metered must not be reachable from call
 * }</pre>
 */
public final class UnclosedResponses {
  private static final Cleaner CLEANER = Cleaner.create();

  private UnclosedResponses() {}

  /**
   * Ends {@code call} as {@code canceled} when {@code response} becomes unreachable before the
   * call ended. {@code call} must not reach {@code response}, or it is never collected.
   */
  public static void endWhenDropped(Object response, LlmCall call) {
    CLEANER.register(response, new EndIfOpen(call));
  }

  /** A static class, so the action holds the call and never the response. */
  private static final class EndIfOpen implements Runnable {
    private final LlmCall call;

    EndIfOpen(LlmCall call) {
      this.call = call;
    }

    @Override
    public void run() {
      if (!call.isEnded()) call.onFailure(ErrorTypes.CANCELED);
    }
  }
}

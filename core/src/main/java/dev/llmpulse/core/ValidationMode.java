package dev.llmpulse.core;

/**
 * What an LLM Pulse binding (the OkHttp interceptor, the SDK adapters) does with a ghost success: a 2xx response that is not a
 * usable answer (empty, cut off, HTML, JSON without choices, a stream without its terminator).
 *
 * <pre>{@code
 * LlmMetricsInterceptor.builder().validation(ValidationMode.ENFORCE).build(); // any binding
 * }</pre>
 */
public enum ValidationMode {
  /**
   * The default: count it in {@code gen_ai_client_invalid_responses_total} and record the call's
   * {@code error_type}; the application reads the body exactly as sent.
   */
  OBSERVE,
  /**
   * Also fail the call with an {@link InvalidLlmResponseException}, so the client's and the
   * application's retry logic can act. The trade-off: a non-streaming 2xx body of a known format
   * is read whole (up to the cap, 1 MiB by default) before the response is returned, so the
   * application gets it only once it has fully arrived (it gets the same bytes, from memory);
   * bodies above the cap are passed through and judged at EOF instead. A stream is never
   * buffered: the exception replaces the clean EOF that a stream without its terminator (or with
   * an error event) would have ended with.
   */
  ENFORCE
}

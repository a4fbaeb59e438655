package dev.llmpulse.core;

/**
 * Why a response that looked successful (HTTP 2xx) is not a usable answer: a "ghost success".
 * Each value is the {@code reason} label of {@code gen_ai_client_invalid_responses_total}.
 *
 * <pre>{@code
 * if (reason == InvalidResponseReason.STREAM_INCOMPLETE) retryLater();
 * String label = reason.label(); // "stream_incomplete"
 * }</pre>
 */
public enum InvalidResponseReason {
  /** 2xx with no body at all, or only whitespace. */
  EMPTY_BODY("empty_body", "invalid_response"),
  /** HTML, plain text or XML where JSON or an event stream was due (a gateway's error page). */
  UNEXPECTED_CONTENT_TYPE("unexpected_content_type", "invalid_response"),
  /** The body is not JSON (or a stream event is not). */
  INVALID_JSON("invalid_json", "invalid_response"),
  /** A valid JSON prefix that ends inside the document: cut off. */
  TRUNCATED_JSON("truncated_json", "invalid_response"),
  /**
   * The answer part is missing: no {@code choices} (OpenAI and compatibles), no {@code content}
   * (Anthropic), no {@code candidates} and no {@code promptFeedback.blockReason} (Gemini), no
   * {@code message} (Ollama chat, Cohere) or {@code response} (Ollama generate).
   */
  MISSING_CHOICES("missing_choices", "invalid_response"),
  /** {@code choices} is present but empty. */
  EMPTY_CHOICES("empty_choices", "invalid_response"),
  /** A Responses API object whose {@code status} is {@code failed} or {@code cancelled}. */
  RESPONSE_FAILED("response_failed", "invalid_response"),
  /**
   * The stream ended (EOF) without its format's terminator ({@code [DONE]}, {@code message_stop},
   * {@code response.completed}, a finish reason, Ollama's {@code "done": true} line, Cohere's
   * {@code message-end}).
   */
  STREAM_INCOMPLETE("stream_incomplete", "incomplete_stream"),
  /** The stream carried an error event. */
  STREAM_ERROR_EVENT("stream_error_event", "stream_error");

  private final String label;
  private final String errorType;

  InvalidResponseReason(String label, String errorType) {
    this.label = label;
    this.errorType = errorType;
  }

  /** The {@code reason} label value. */
  public String label() {
    return label;
  }

  /** The {@code error_type} the call's duration is recorded with. */
  public String errorType() {
    return errorType;
  }
}

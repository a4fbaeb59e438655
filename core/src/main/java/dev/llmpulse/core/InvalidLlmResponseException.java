package dev.llmpulse.core;

import java.io.IOException;

/**
 * Thrown in {@link ValidationMode#ENFORCE} when a 2xx response is not a usable answer. It is an
 * {@link IOException}, so retry logic written for network failures handles it too. Its message
 * names the reason, the host and the status, never the body or a credential.
 *
 * <pre>{@code
 * try (Response response = client.newCall(request).execute()) {
 *   return parse(response.body().string());
 * } catch (InvalidLlmResponseException e) {
 *   if (e.reason() == InvalidResponseReason.STREAM_INCOMPLETE) return retry(request);
 *   throw e;
 * }
 * }</pre>
 */
public final class InvalidLlmResponseException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient InvalidResponseReason reason;

  /** Made by the bindings; the message names the reason, the host and the status only. */
  public InvalidLlmResponseException(InvalidResponseReason reason, String host, int httpStatus) {
    super("LLM response from " + host + " (HTTP " + httpStatus + ") is not a usable answer: "
        + reason.label());
    this.reason = reason;
  }

  public InvalidResponseReason reason() {
    return reason;
  }
}

package dev.llmpulse.core.internal;

/**
 * How one call ended, as the call itself knows it: its {@code error_type} label value and what
 * that means for an upstream's health — a success, a failure (the upstream did not serve:
 * timeouts, connection errors, 429, 5xx, ghost successes, broken streams), or neither (the
 * application canceled). Observers read the kind; they never parse the label back.
 *
 * <p>Part of the binding contract: no compatibility promise.
 *
 * <pre>{@code
 * CallOutcome outcome = CallOutcome.ofStatus(503);  // error_type "503", a failure
 * if (outcome.kind() == CallOutcome.Kind.FAILURE) consecutiveFailures++;
 * }</pre>
 */
public final class CallOutcome {
  /** What an outcome means for the health of the upstream. */
  public enum Kind {
    /** The upstream answered: a 2xx that is a real answer, or a 4xx other than 429. */
    SUCCESS,
    /** The upstream did not serve the call. */
    FAILURE,
    /** Says nothing about the upstream: the application canceled. */
    IGNORED
  }

  /** A call that ended well: {@code error_type} empty. */
  public static final CallOutcome SUCCESS = new CallOutcome("", Kind.SUCCESS);
  private static final CallOutcome CANCELED = new CallOutcome(ErrorTypes.CANCELED, Kind.IGNORED);

  private final String errorType;
  private final Kind kind;

  private CallOutcome(String errorType, Kind kind) {
    this.errorType = errorType;
    this.kind = kind;
  }

  /**
   * An HTTP error status: 429 and 5xx are failures (overloaded, down); any other status is the
   * upstream answering (a 400 or 404 is the caller's mistake, not an outage).
   */
  public static CallOutcome ofStatus(int status) {
    if (status >= 200 && status <= 399) return SUCCESS;
    return new CallOutcome(Integer.toString(status),
        status == 429 || status >= 500 ? Kind.FAILURE : Kind.SUCCESS);
  }

  /**
   * A named failure ({@code timeout}, {@code connect_error}, {@code io_error}, {@code
   * invalid_response}, {@code incomplete_stream}, {@code stream_error}…): a failure of the
   * upstream, except {@code canceled}, the application's own choice.
   */
  public static CallOutcome ofFailure(String errorType) {
    if (errorType == null || errorType.isEmpty()) return SUCCESS;
    if (ErrorTypes.CANCELED.equals(errorType)) return CANCELED;
    return new CallOutcome(errorType, Kind.FAILURE);
  }

  /** The {@code error_type} label value; empty on success. */
  public String errorType() {
    return errorType;
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public String toString() {
    return errorType.isEmpty() ? kind.toString() : errorType + " (" + kind + ")";
  }
}

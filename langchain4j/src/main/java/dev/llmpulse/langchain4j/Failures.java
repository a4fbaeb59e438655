package dev.llmpulse.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.internal.ErrorTypes;

/** Names the failures LangChain4j's clients hand over as exceptions. */
final class Failures {
  private Failures() {}

  /** Ends {@code call} with what {@code failure} tells: an answer's status, or an error type. */
  static void record(LlmCall call, Throwable failure) {
    String errorType;
    int status = -1;
    try {
      status = httpStatus(failure);
      errorType = status > 0 ? null : errorType(failure);
    } catch (RuntimeException | LinkageError e) {
      errorType = ErrorTypes.IO_ERROR; // never instead of the application's own exception
    }
    if (errorType == null) {
      answered(call, status);
    } else {
      call.onFailure(errorType);
    }
  }

  /** The status of the {@code HttpException} in {@code failure}'s causes, or -1. */
  static int httpStatus(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof HttpException) return ((HttpException) t).statusCode();
    }
    return -1;
  }

  /**
   * An answer outside 2xx, which LangChain4j turns into an {@code HttpException} with the status
   * but without the headers or the timing of the body: the call is recorded with its status as
   * its error type, and no rate limits (never invented).
   */
  static void answered(LlmCall call, int status) {
    call.onResponse(status, null, null, RateLimitSnapshot.EMPTY);
    call.onFailure(Integer.toString(status));
  }

  /**
   * The {@code error_type} of an exception a client threw or handed to a listener: a timeout
   * (LangChain4j wraps the JDK's {@code HttpTimeoutException} in its own {@code TimeoutException}),
   * {@code canceled} when the calling thread was interrupted (the application's own cancel),
   * else as {@link ErrorTypes#of} names it.
   */
  static String errorType(Throwable failure) {
    return ErrorTypes.of(failure, interrupted(failure));
  }

  private static boolean interrupted(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof java.nio.channels.ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }
}

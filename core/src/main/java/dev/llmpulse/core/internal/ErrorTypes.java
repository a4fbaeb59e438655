package dev.llmpulse.core.internal;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;

/**
 * The {@code error_type} of a call that failed with an exception, the same for every binding:
 * {@code timeout} for any client timeout (connect, read, write, or the whole call's deadline,
 * even though the client cancels the call to enforce it), {@code canceled} only for the
 * application's own cancel, {@code connect_error} when no connection was made, else
 * {@code io_error}.
 *
 * <p>Part of the binding contract: no compatibility promise.
 *
 * <pre>{@code
 * String errorType = ErrorTypes.of(e, call.isCanceled());
 * }</pre>
 */
public final class ErrorTypes {
  public static final String TIMEOUT = "timeout";
  public static final String CANCELED = "canceled";
  public static final String CONNECT_ERROR = "connect_error";
  public static final String IO_ERROR = "io_error";

  private ErrorTypes() {}

  /**
   * @param failure what the client threw
   * @param canceled the client says the call was canceled; a client that enforces a timeout by
   *     canceling (OkHttp's {@code callTimeout}) still reports a timeout here
   */
  public static String of(Throwable failure, boolean canceled) {
    if (isTimeout(failure)) return TIMEOUT;
    if (canceled) return CANCELED;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException || t instanceof SSLHandshakeException) {
        return CONNECT_ERROR;
      }
    }
    String message = failure == null ? "" : String.valueOf(failure.getMessage());
    if ("Canceled".equals(message) || "canceled".equals(message)) return CANCELED;
    return IO_ERROR;
  }

  /**
   * A timeout: {@link SocketTimeoutException} (connect, read and write timeouts), an {@link
   * InterruptedIOException} whose message is {@code timeout} (OkHttp's call timeout, which also
   * wraps the failure of a body read cut by it), or the JDK client's {@code HttpTimeoutException}.
   */
  static boolean isTimeout(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SocketTimeoutException) return true;
      if (t instanceof InterruptedIOException
          && String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
        return true;
      }
      if (t instanceof HttpTimeoutException) return true;
    }
    return false;
  }
}

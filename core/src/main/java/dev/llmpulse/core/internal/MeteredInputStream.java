package dev.llmpulse.core.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * A response body as an {@link InputStream} (the JDK client's, an SDK's), teed into an {@link
 * LlmCall}: the reader gets exactly the bytes it would get, as soon as it would, and each piece
 * it reads is also shown to the call. The call ends at EOF, at close, or when a read fails; the
 * failure reaches the reader unchanged.
 *
 * <p>Part of the binding contract: no compatibility promise.
 *
 * <pre>{@code
 * InputStream body = new MeteredInputStream(response.body(), call,
 *     e -> ErrorTypes.of(e, false),
 *     ended -> binding.enforcement(ended, host, status)); // null: observe only
 * }</pre>
 */
public final class MeteredInputStream extends InputStream {
  /** Names a read failure for {@code error_type}. */
  public interface FailureClassifier {
    String errorType(IOException e);
  }

  /** ENFORCE mode: the exception to throw instead of EOF, or null to let EOF through. */
  public interface EofCheck {
    IOException failureAtEof(LlmCall ended);
  }

  private final InputStream in;
  private final LlmCall call;
  private final FailureClassifier failures;
  private final EofCheck enforceAtEof;
  private final byte[] one = new byte[1];

  /**
   * @param enforceAtEof the check that may replace EOF by a failure; null to observe only
   */
  public MeteredInputStream(InputStream in, LlmCall call, FailureClassifier failures,
      EofCheck enforceAtEof) {
    this.in = in;
    this.call = call;
    this.failures = failures;
    this.enforceAtEof = enforceAtEof;
  }

  @Override
  public int read() throws IOException {
    int read = read(one, 0, 1);
    return read == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int read;
    try {
      read = in.read(buffer, offset, length);
    } catch (IOException e) {
      call.onFailure(classify(e));
      throw e;
    } catch (RuntimeException | Error e) {
      call.onFailure(ErrorTypes.IO_ERROR);
      throw e;
    }
    if (read == -1) {
      call.onBodyEnd();
      IOException failure = atEof();
      if (failure != null) throw failure;
      return -1;
    }
    if (read > 0) call.onBody(buffer, offset, read);
    return read;
  }

  /** Skipped bytes are read through the tee, so the call still sees every byte of the body. */
  @Override
  public long skip(long n) throws IOException {
    if (n <= 0) return 0;
    byte[] scratch = new byte[(int) Math.min(n, 8192)];
    long skipped = 0;
    while (skipped < n) {
      int read = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (read == -1) break;
      skipped += read;
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    call.onBodyClosed();
    in.close();
  }

  private String classify(IOException e) {
    try {
      return failures.errorType(e);
    } catch (RuntimeException | LinkageError ignored) {
      return ErrorTypes.IO_ERROR;
    }
  }

  private IOException atEof() {
    if (enforceAtEof == null) return null;
    try {
      return enforceAtEof.failureAtEof(call);
    } catch (RuntimeException | LinkageError ignored) {
      return null; // our check failed: the app keeps its EOF
    }
  }
}

package dev.llmpulse.okhttp;

import dev.llmpulse.core.internal.LlmCall;
import java.io.IOException;
import java.io.OutputStream;
import okhttp3.MediaType;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/**
 * The response body the application reads: the same bytes, at the same moments, as the original,
 * each piece also shown to the call's scanner as it passes (a tee in the style of OkHttp's
 * {@code CacheInterceptor}). It ends the call at EOF, at close, or when a read fails.
 */
final class MeteredBody extends ResponseBody {
  private final ResponseBody delegate;
  private final BufferedSource source;

  /**
   * @param enforceAtEof in ENFORCE mode, the failure that replaces the EOF of a body judged
   *     invalid; null to observe only
   */
  MeteredBody(ResponseBody delegate, LlmCall call, FailureClassifier failures,
      EofCheck enforceAtEof) {
    this.delegate = delegate;
    this.source = Okio.buffer(new TeeSource(delegate.source(), call, failures, enforceAtEof));
  }

  @Override
  public MediaType contentType() {
    return delegate.contentType();
  }

  @Override
  public long contentLength() {
    return delegate.contentLength();
  }

  @Override
  public BufferedSource source() {
    return source;
  }

  /** Names a failure for {@code error_type}. */
  interface FailureClassifier {
    String errorType(IOException e);
  }

  /** ENFORCE mode: the exception to throw instead of EOF, or null to let EOF through. */
  interface EofCheck {
    IOException failureAtEof(LlmCall call);
  }

  private static final class TeeSource extends ForwardingSource {
    private final LlmCall call;
    private final FailureClassifier failures;
    private final EofCheck enforceAtEof;
    private final OutputStream toScanner;

    TeeSource(Source delegate, LlmCall call, FailureClassifier failures, EofCheck enforceAtEof) {
      super(delegate);
      this.call = call;
      this.failures = failures;
      this.enforceAtEof = enforceAtEof;
      this.toScanner = new OutputStream() {
        @Override
        public void write(int b) {
          call.onBody(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] data, int offset, int length) {
          call.onBody(data, offset, length);
        }
      };
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      long read;
      try {
        read = super.read(sink, byteCount);
      } catch (IOException e) {
        call.onFailure(failures.errorType(e));
        throw e;
      }
      if (read == -1) {
        call.onBodyEnd();
        IOException failure = enforceAtEof == null ? null : enforceAtEof.failureAtEof(call);
        if (failure != null) throw failure;
        return -1;
      }
      if (read > 0 && !call.isEnded()) {
        try {
          sink.copyTo(toScanner, sink.size() - read, read); // hands over segment arrays, no copy
        } catch (IOException | RuntimeException | LinkageError ignored) {
          // Our stream neither throws nor blocks; whatever happens, the app keeps its bytes.
        }
      }
      return read;
    }

    @Override
    public void close() throws IOException {
      call.onBodyClosed();
      super.close();
    }
  }
}

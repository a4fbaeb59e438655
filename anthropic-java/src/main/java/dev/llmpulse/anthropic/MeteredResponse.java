package dev.llmpulse.anthropic;

import com.anthropic.core.http.Headers;
import com.anthropic.core.http.HttpResponse;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.ErrorTypes;
import dev.llmpulse.core.internal.MeteredInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;

/**
 * The response the SDK reads: the same status, headers and body bytes, at the same moments, as
 * the original; each piece of the body is also shown to the call as it passes (a tee). It ends
 * the call at EOF, when the SDK closes the body or the response, or when a read fails.
 */
final class MeteredResponse implements HttpResponse {
  private final HttpResponse delegate;
  private final LlmCall call;
  private final MeteredInputStream.EofCheck enforceAtEof;
  private final Object lock = new Object();
  private InputStream body; // guarded by lock: the tee, made on the first body()

  /**
   * @param enforceAtEof in ENFORCE mode, the failure that replaces the EOF of a body judged
   *     invalid; null to observe only
   */
  MeteredResponse(HttpResponse delegate, LlmCall call, MeteredInputStream.EofCheck enforceAtEof) {
    this.delegate = delegate;
    this.call = call;
    this.enforceAtEof = enforceAtEof;
  }

  @Override
  public int statusCode() {
    return delegate.statusCode();
  }

  @Override
  public Headers headers() {
    return delegate.headers();
  }

  @Override
  public InputStream body() {
    synchronized (lock) {
      if (body == null) {
        InputStream original;
        try {
          original = delegate.body();
        } catch (RuntimeException | Error e) {
          call.onNoBody(); // "Response has no body"
          throw e;
        }
        body = new Tee(original);
      }
      return body;
    }
  }

  @Override
  public void close() {
    endAtClose();
    delegate.close();
  }

  /**
   * The SDK closed the body or the response. An error answer is recorded by its status whether or
   * not its body was read (the SDK closes a response it retries without reading it); a 2xx body
   * closed before its end is {@code canceled} when it is a stream.
   */
  private void endAtClose() {
    int status = delegate.statusCode();
    if (status >= 200 && status <= 299) {
      call.onBodyClosed();
    } else {
      call.onBodyEnd();
    }
  }

  /**
   * ENFORCE, non-streaming: reads the body (up to {@code max} bytes) before the SDK does, so an
   * invalid answer fails the try itself, as the SDK's transport fails it. A body above the cap is
   * passed on and judged when the SDK reaches its end.
   */
  HttpResponse readWholeAndJudge(long max) {
    InputStream in = body();
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      while (whole.size() <= max) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, max + 1 - whole.size()));
        if (n == -1) {
          close(); // read to EOF through the tee: the call is recorded and judged
          return new Buffered(this, whole.toByteArray());
        }
        whole.write(buffer, 0, n);
      }
    } catch (IOException e) {
      close();
      throw MeteredHttpClient.asSdkFailure(e); // the tee ended the call with its outcome
    }
    InputStream rest = new SequenceInputStream(new ByteArrayInputStream(whole.toByteArray()), in);
    return new Buffered(this, rest);
  }

  /** The response with a body already read (or partly read) by {@link #readWholeAndJudge}. */
  private static final class Buffered implements HttpResponse {
    private final MeteredResponse response;
    private final InputStream body;

    Buffered(MeteredResponse response, byte[] whole) {
      this(response, new ByteArrayInputStream(whole));
    }

    Buffered(MeteredResponse response, InputStream body) {
      this.response = response;
      this.body = body;
    }

    @Override
    public int statusCode() {
      return response.statusCode();
    }

    @Override
    public Headers headers() {
      return response.headers();
    }

    @Override
    public InputStream body() {
      return body;
    }

    @Override
    public void close() {
      response.close();
    }
  }

  /**
   * The tee; its close first ends the call by status ({@link #endAtClose}): {@link
   * LlmCall#onBodyClosed()} alone would name an error answer to a stream request, closed unread
   * by the SDK's retry, {@code canceled}.
   */
  private final class Tee extends FilterInputStream {
    Tee(InputStream original) {
      super(new MeteredInputStream(original, call, e -> ErrorTypes.of(e, false), enforceAtEof));
    }

    @Override
    public void close() throws IOException {
      endAtClose();
      super.close();
    }
  }
}

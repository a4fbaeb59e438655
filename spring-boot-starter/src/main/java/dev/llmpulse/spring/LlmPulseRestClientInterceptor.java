package dev.llmpulse.spring;

import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.internal.ErrorTypes;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.MeteredInputStream;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.internal.RequestFacts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Records the LLM calls of a {@code RestClient} (Spring AI 1.x's blocking calls, or the
 * application's own): the response body the converter reads is teed into the call as it is
 * read, never buffered. Every other request passes through untouched.
 */
final class LlmPulseRestClientInterceptor implements ClientHttpRequestInterceptor {
  private final HttpBinding binding;

  LlmPulseRestClientInterceptor(HttpBinding binding) {
    this.binding = binding;
  }

  @Override
  public ClientHttpResponse intercept(HttpRequest request, byte[] body,
      ClientHttpRequestExecution execution) throws IOException {
    LlmCall call = start(request, body);
    if (call == null) return execution.execute(request, body);
    ClientHttpResponse response;
    try {
      response = execution.execute(request, body);
    } catch (IOException e) {
      call.onFailure(HttpBinding.errorType(e));
      throw e;
    } catch (RuntimeException | Error e) {
      call.onFailure(ErrorTypes.IO_ERROR);
      throw e;
    }
    return observe(call, request, response);
  }

  private LlmCall start(HttpRequest request, byte[] body) {
    try {
      URI uri = request.getURI();
      String method = request.getMethod().name();
      String path = uri.getRawPath();
      WireFormat format = binding.formatOf(method, path);
      if (format == null) return null;
      MediaType type = request.getHeaders().getContentType();
      boolean readable = body != null && body.length <= RequestFacts.MAX_BODY_BYTES
          && type != null && RequestFacts.isJson(type.toString());
      return binding.start(format, uri.getHost(), path, readable ? body : null,
          readable ? body.length : 0, null); // the calling thread's Attribution scope applies
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      return null;
    }
  }

  private ClientHttpResponse observe(LlmCall call, HttpRequest request,
      ClientHttpResponse response) throws IOException {
    int status;
    try {
      status = response.getStatusCode().value();
    } catch (IOException e) {
      call.onFailure(HttpBinding.errorType(e));
      throw e;
    }
    try {
      HttpHeaders headers = response.getHeaders();
      RateLimitSnapshot limits = binding.rateLimits(headers::getFirst, status);
      call.onResponse(status, headers.getFirst(HttpHeaders.CONTENT_TYPE),
          headers.getFirst(HttpHeaders.CONTENT_ENCODING), limits);
      return new Metered(response, call, binding, request.getURI().getHost(), status);
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      call.onNoBody();
      return response;
    }
  }

  /** The response with its body teed into the call; ends the call at EOF, close or failure. */
  private static final class Metered implements ClientHttpResponse {
    private final ClientHttpResponse delegate;
    private final LlmCall call;
    private final HttpBinding binding;
    private final String host;
    private final int status;
    private InputStream body;

    Metered(ClientHttpResponse delegate, LlmCall call, HttpBinding binding, String host,
        int status) {
      this.delegate = delegate;
      this.call = call;
      this.binding = binding;
      this.host = host;
      this.status = status;
    }

    @Override
    public HttpStatusCode getStatusCode() throws IOException {
      return delegate.getStatusCode();
    }

    @Override
    public String getStatusText() throws IOException {
      return delegate.getStatusText();
    }

    @Override
    public HttpHeaders getHeaders() {
      return delegate.getHeaders();
    }

    @Override
    public InputStream getBody() throws IOException {
      if (body != null) return body;
      InputStream original;
      try {
        original = delegate.getBody();
      } catch (IOException e) {
        call.onFailure(HttpBinding.errorType(e));
        throw e;
      }
      MeteredInputStream.EofCheck enforce = binding.enforcing()
          ? ended -> binding.enforcement(ended, host, status) : null;
      InputStream metered = new MeteredInputStream(original, call, HttpBinding::errorType, enforce);
      long length = delegate.getHeaders().getContentLength();
      body = length >= 0 ? new EndAtContentLength(metered, length) : metered;
      return body;
    }

    @Override
    public void close() {
      try {
        if (body != null) {
          body.close(); // ends the call (complete answer or canceled stream), closes the original
        } else {
          call.onBodyClosed(); // never read: ended here
        }
      } catch (IOException | RuntimeException ignored) {
        // ClientHttpResponse.close() does not throw; the delegate closes below either way.
      } finally {
        delegate.close();
      }
    }
  }

  /**
   * A body of known length ends with its last byte: converters read exactly Content-Length bytes
   * ({@code readNBytes}) and close without asking for EOF, so the read that delivers the last
   * byte also reads the end, and the call is judged as a whole answer (a 200 cut short in its
   * JSON is {@code truncated_json}, not an answer the application stopped reading).
   */
  static final class EndAtContentLength extends InputStream {
    private final InputStream metered;
    private long remaining;
    private int pending = -1; // a byte past Content-Length, should a server send one

    EndAtContentLength(InputStream metered, long length) {
      this.metered = metered;
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) return 0;
      if (pending >= 0) {
        buffer[offset] = (byte) pending;
        pending = -1;
        return 1;
      }
      int n = metered.read(buffer, offset, length);
      if (n > 0 && remaining > 0) {
        remaining -= n;
        if (remaining <= 0) {
          byte[] probe = new byte[1];
          int more = metered.read(probe, 0, 1); // EOF here: the call ends (ENFORCE may throw)
          if (more == 1) pending = probe[0] & 0xff;
        }
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return pending >= 0 ? 1 : metered.available();
    }

    @Override
    public void close() throws IOException {
      metered.close();
    }
  }
}

package dev.llmpulse.anthropic;

import com.anthropic.core.RequestOptions;
import com.anthropic.core.http.HttpClient;
import com.anthropic.core.http.HttpRequest;
import com.anthropic.core.http.HttpRequestBody;
import com.anthropic.core.http.HttpResponse;
import com.anthropic.errors.AnthropicIoException;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.core.internal.ErrorTypes;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.LlmMetrics;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.internal.RecordedBy;
import dev.llmpulse.core.internal.RequestFacts;
import dev.llmpulse.core.internal.UnclosedResponses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The SDK's HTTP client as the interceptor hands it on: each try of each request that is an LLM
 * API call becomes one {@link LlmCall}, ended when the SDK reaches the end of the body, closes
 * the response, or the try fails.
 */
final class MeteredHttpClient implements HttpClient {
  /**
   * {@code HttpRequest.body()}: {@code HttpRequestBody} (nullable) up to 2.x, {@code
   * Optional<HttpRequestBody>} since 3.0, so it is looked up once rather than linked.
   */
  private static final MethodHandle REQUEST_BODY = requestBodyAccessor();

  private final HttpClient next;
  private final Binding binding;
  private final LlmMetrics metrics;

  MeteredHttpClient(HttpClient next, Binding binding) {
    this.next = next;
    this.binding = binding;
    this.metrics = binding.metrics();
  }

  @Override
  public HttpResponse execute(HttpRequest request, RequestOptions options) {
    Started started = start(request);
    if (started == null) return next.execute(request, options);
    HttpResponse response;
    try {
      response = next.execute(started.request, options);
    } catch (RuntimeException | Error e) {
      started.call.onFailure(errorType(e));
      throw e;
    }
    return observe(started, response);
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions options) {
    Started started = start(request);
    if (started == null) return next.executeAsync(request, options);
    LlmCall call = started.call;
    CompletableFuture<HttpResponse> upstream;
    try {
      upstream = next.executeAsync(started.request, options);
    } catch (RuntimeException | Error e) {
      call.onFailure(errorType(e));
      throw e;
    }
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    upstream.whenComplete((response, failure) -> {
      if (failure != null) {
        call.onFailure(errorType(failure));
        result.completeExceptionally(failure);
        return;
      }
      HttpResponse observed;
      try {
        observed = observe(started, response);
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e); // ENFORCE judged the answer: the call is already ended
        return;
      }
      if (!result.complete(observed)) observed.close(); // canceled meanwhile: nobody else will
    });
    result.whenComplete((response, failure) -> {
      if (failure instanceof CancellationException) {
        call.onFailure(ErrorTypes.CANCELED); // the application's own cancel
        upstream.cancel(false); // the SDK's transport then cancels its HTTP call
      }
    });
    return result;
  }

  @Override
  public void close() {
    next.close();
  }

  /** The call started for an LLM request, and the request to pass on (marked as recorded). */
  private static final class Started {
    final LlmCall call;
    final HttpRequest request;
    final String host;

    Started(LlmCall call, HttpRequest request, String host) {
      this.call = call;
      this.request = request;
      this.host = host;
    }
  }

  /**
   * Starts recording, or null when the request is not an LLM API call, or another LLM Pulse layer
   * on this registry nearer the application already records it (left untouched).
   */
  private Started start(HttpRequest request) {
    try {
      String method = request.method().name();
      String host = "";
      String path;
      if (request.baseUrl() == null) {
        // Before 3.0 the SDK resolves the base URL below its interceptors: no host to see.
        path = "/" + String.join("/", request.pathSegments());
      } else {
        URI url = URI.create(request.url());
        host = url.getHost() == null ? "" : url.getHost();
        path = url.getRawPath();
      }
      WireFormat format = binding.formatOf(method, path);
      if (format == null) return null;
      HttpRequestBody body = bodyOf(request);
      RecordedBy recorded = body instanceof MarkedBody ? ((MarkedBody) body).recordedBy : null;
      if (recorded != null && recorded.includes(metrics)) return null;
      byte[] bytes = readableBody(body);
      LlmCall call = binding.start(format, host, path, bytes,
          bytes == null ? 0 : bytes.length, true);
      if (call == null) return null;
      HttpRequest marked = request;
      if (body != null) {
        try {
          marked = request.toBuilder()
              .body(new MarkedBody(body, RecordedBy.adding(metrics, recorded)))
              .build();
        } catch (RuntimeException | LinkageError e) {
          metrics.internalError(e); // passed on unmarked: an inner layer may count it again
        }
      }
      return new Started(call, marked, host);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      return null;
    }
  }

  /**
   * Names the failure of one try. The SDK wraps transport failures in {@code
   * AnthropicIoException} and async ones in {@code CompletionException}: the cause is what the
   * transport threw (a read timeout, the call timeout, a refused connection).
   */
  static String errorType(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException
        || t instanceof AnthropicIoException) && t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof CancellationException) return ErrorTypes.CANCELED;
    return ErrorTypes.of(t, false);
  }

  private HttpResponse observe(Started started, HttpResponse response) {
    LlmCall call = started.call;
    MeteredResponse metered;
    try {
      int status = response.statusCode();
      com.anthropic.core.http.Headers headers = response.headers();
      RateLimitSnapshot limits = binding.rateLimits(name -> first(headers.values(name)), status);
      call.onResponse(status, first(headers.values("Content-Type")),
          first(headers.values("Content-Encoding")), limits);
      boolean enforce = binding.validation() == ValidationMode.ENFORCE;
      metered = new MeteredResponse(response, call,
          enforce ? ended -> binding.enforcement(ended, started.host, status) : null);
      // An async call the app cancels: the SDK neither cancels the transport nor closes the
      // response that still arrives, so the call would stay in flight forever.
      UnclosedResponses.endWhenDropped(metered, call);
      if (!enforce || status < 200 || status > 299 || call.isStream()) return metered;
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      call.onNoBody();
      return response;
    }
    return metered.readWholeAndJudge(binding.maxEnforcedBodyBytes());
  }

  private static String first(List<String> values) {
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * The request body's bytes when they can be read without disturbing the call: JSON,
   * repeatable, of known length up to the cap; else null. The SDK's JSON bodies hold their bytes,
   * so this is a copy, not a second serialization.
   */
  private static byte[] readableBody(HttpRequestBody body) {
    if (body == null) return null;
    try {
      if (!body.repeatable() || !RequestFacts.isJson(body.contentType())) return null;
      long length = body.contentLength();
      if (length <= 0 || length > RequestFacts.MAX_BODY_BYTES) return null;
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) length);
      body.writeTo(out);
      return out.toByteArray();
    } catch (RuntimeException e) {
      return null; // the call is still measured, without a model
    }
  }

  static HttpRequestBody bodyOf(HttpRequest request) {
    if (REQUEST_BODY == null) return null;
    try {
      Object body = (Object) REQUEST_BODY.invoke(request);
      if (body instanceof Optional) body = ((Optional<?>) body).orElse(null);
      return body instanceof HttpRequestBody ? (HttpRequestBody) body : null;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static MethodHandle requestBodyAccessor() {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    for (Class<?> type : new Class<?>[] {Optional.class, HttpRequestBody.class}) {
      try {
        return lookup.findVirtual(HttpRequest.class, "body", MethodType.methodType(type))
            .asType(MethodType.methodType(Object.class, HttpRequest.class));
      } catch (NoSuchMethodException | IllegalAccessException e) {
        // the other SDK line
      }
    }
    return null; // an SDK without either: calls are measured without their model
  }

  /** The SDK's request body, unchanged, carrying which metric sets already record the call. */
  static final class MarkedBody implements HttpRequestBody {
    private final HttpRequestBody delegate;
    final RecordedBy recordedBy;

    MarkedBody(HttpRequestBody delegate, RecordedBy recordedBy) {
      this.delegate = delegate;
      this.recordedBy = recordedBy;
    }

    @Override
    public void writeTo(java.io.OutputStream out) {
      delegate.writeTo(out);
    }

    @Override
    public String contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public boolean repeatable() {
      return delegate.repeatable();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** Makes a judged-invalid answer the SDK's own kind of transport failure. */
  static AnthropicIoException asSdkFailure(IOException e) {
    return new AnthropicIoException(
        e instanceof InvalidLlmResponseException ? e.getMessage() : "Request failed", e);
  }
}

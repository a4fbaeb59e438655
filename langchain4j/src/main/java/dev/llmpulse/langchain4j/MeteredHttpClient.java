package dev.llmpulse.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.LlmMetrics;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.internal.RecordedBy;
import dev.llmpulse.core.internal.RequestFacts;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The client a LangChain4j model gets: the wrapped client's, each LLM call recorded. A whole
 * answer is seen when the wrapped client returns it; a stream is teed as raw bytes between the
 * wrapped client and the event parser; a failure is named from the exception LangChain4j gives.
 */
final class MeteredHttpClient implements HttpClient {
  /**
   * The metric sets recording the call in progress on this thread, innermost first: a second
   * LLM Pulse layer on the same registry below (the builder wrapped twice) passes the call
   * through instead of counting it again. The wrapped client's execute starts the request on the
   * calling thread, streams included, so a thread-local spans exactly the layers of one call.
   */
  private static final ThreadLocal<RecordedBy> RECORDING = new ThreadLocal<>();
  private static volatile boolean noBodyBytes; // LangChain4j before 1.18: the body is a String

  private final HttpClient delegate;
  private final Binding binding;
  private final LlmMetrics metrics;

  MeteredHttpClient(HttpClient delegate, Binding binding) {
    this.delegate = delegate;
    this.binding = binding;
    this.metrics = binding.metrics();
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    if (recordedAbove()) return delegate.execute(request);
    Target target = Target.of(request);
    LlmCall call = start(request, target);
    if (call == null) return delegate.execute(request); // not an LLM API call: untouched
    SuccessfulHttpResponse response;
    RecordedBy outer = enter();
    try {
      response = delegate.execute(request);
    } catch (RuntimeException | Error e) {
      Failures.record(call, e);
      throw e;
    } finally {
      exit(outer);
    }
    InvalidLlmResponseException invalid = observe(call, target, response);
    if (invalid != null) throw new UncheckedIOException(invalid);
    return response;
  }

  @Override
  public void execute(HttpRequest request, ServerSentEventParser parser,
      ServerSentEventListener listener) {
    if (recordedAbove()) {
      delegate.execute(request, parser, listener);
      return;
    }
    Target target = Target.of(request);
    LlmCall call = parser == null ? null : start(request, target);
    if (call == null) { // not an LLM API call: untouched
      delegate.execute(request, parser, listener);
      return;
    }
    MeteredListener metered = new MeteredListener(listener, call, binding, target.host);
    RecordedBy outer = enter();
    try {
      delegate.execute(request, metered.parser(parser), metered);
    } catch (RuntimeException | Error e) {
      call.onFailure(Failures.errorType(e));
      throw e;
    } finally {
      exit(outer);
    }
  }

  /** Starts recording, or null when the request is not an LLM API call (left untouched). */
  private LlmCall start(HttpRequest request, Target target) {
    try {
      String method = request.method() == null ? "" : request.method().name();
      WireFormat format = target == null ? null : binding.formatOf(method, target.path);
      if (format == null) return null;
      byte[] body = readableBody(request);
      return binding.start(format, target.host, target.path, body, body == null ? 0 : body.length,
          true);
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      return null;
    }
  }

  /** The request body when it is JSON (or untyped) text of at most the cap; else null. */
  private static byte[] readableBody(HttpRequest request) {
    String body = request.body();
    if (body == null || body.isEmpty() || body.length() > RequestFacts.MAX_BODY_BYTES) return null;
    String type = Headers.first(request.headers(), "Content-Type");
    if (type != null && !RequestFacts.isJson(type)) return null;
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return bytes.length > RequestFacts.MAX_BODY_BYTES ? null : bytes;
  }

  /**
   * A whole answer, already read by the wrapped client: status, headers and every byte at once.
   * Returns the ENFORCE failure that replaces it, or null.
   */
  private InvalidLlmResponseException observe(LlmCall call, Target target,
      SuccessfulHttpResponse response) {
    try {
      if (response == null) {
        call.onNoBody();
        return null;
      }
      int status = response.statusCode();
      Map<String, List<String>> headers = response.headers();
      RateLimitSnapshot limits = binding.rateLimits(name -> Headers.first(headers, name), status);
      call.onResponse(status, Headers.first(headers, "Content-Type"),
          Headers.first(headers, "Content-Encoding"), limits);
      byte[] body = bodyOf(response);
      if (body == null) {
        call.onNoBody();
        return null;
      }
      if (body.length > 0) call.onBody(body, 0, body.length);
      call.onBodyEnd();
      return binding.enforcement(call, target.host, status);
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      call.onNoBody();
      return null;
    }
  }

  /** The body as received: bytes since LangChain4j 1.18, before that the decoded text. */
  private static byte[] bodyOf(SuccessfulHttpResponse response) {
    if (!noBodyBytes) {
      try {
        return response.bodyBytes();
      } catch (NoSuchMethodError e) {
        noBodyBytes = true;
      }
    }
    String text = response.body();
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  private boolean recordedAbove() {
    RecordedBy recorded = RECORDING.get();
    return recorded != null && recorded.includes(metrics);
  }

  private RecordedBy enter() {
    RecordedBy outer = RECORDING.get();
    RECORDING.set(RecordedBy.adding(metrics, outer));
    return outer;
  }

  private static void exit(RecordedBy outer) {
    if (outer == null) {
      RECORDING.remove();
    } else {
      RECORDING.set(outer);
    }
  }

  /** Host and path of a request URL; null when the URL cannot be read. */
  static final class Target {
    final String host;
    final String path;

    private Target(String host, String path) {
      this.host = host;
      this.path = path;
    }

    static Target of(HttpRequest request) {
      try {
        URI uri = URI.create(request.url());
        String host = uri.getHost();
        String path = uri.getRawPath();
        if (host == null || path == null) return null;
        return new Target(host, path);
      } catch (RuntimeException e) {
        return null; // the wrapped client will reject it itself
      }
    }
  }
}

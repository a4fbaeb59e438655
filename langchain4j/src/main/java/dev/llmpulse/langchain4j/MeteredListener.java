package dev.llmpulse.langchain4j;

import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.core.internal.MeteredInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * One streamed call: the application's listener, told everything it would be told, after the
 * call has recorded it. The response headers arrive with {@link #onOpen}; the body bytes pass
 * through the tee {@link #parser} puts in front of the application's parser (SSE, Ollama's
 * NDJSON, any other); the call ends at the body's EOF, at its close (the application's cancel
 * closes it), on an error, or at the latest when the client closes the stream.
 */
final class MeteredListener implements ServerSentEventListener {
  private final ServerSentEventListener delegate;
  private final LlmCall call;
  private final Binding binding;
  private final String host;
  private volatile int status = -1;

  MeteredListener(ServerSentEventListener delegate, LlmCall call, Binding binding, String host) {
    this.delegate = delegate;
    this.call = call;
    this.binding = binding;
    this.host = host;
  }

  /** {@code parser}, reading the body through the tee. */
  ServerSentEventParser parser(ServerSentEventParser parser) {
    return (body, listener) -> parser.parse(tee(body), listener);
  }

  private InputStream tee(InputStream body) {
    if (body == null) return null;
    try {
      MeteredInputStream.EofCheck enforce = binding.validation() != ValidationMode.ENFORCE ? null
          : ended -> binding.enforcement(ended, host, status);
      return new MeteredInputStream(body, call, Failures::errorType, enforce);
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      return body;
    }
  }

  @Override
  public void onOpen(SuccessfulHttpResponse response) {
    try {
      int code = response.statusCode();
      status = code;
      Map<String, List<String>> headers = response.headers();
      call.onResponse(code, Headers.first(headers, "Content-Type"),
          Headers.first(headers, "Content-Encoding"),
          binding.rateLimits(name -> Headers.first(headers, name), code));
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
    }
    delegate.onOpen(response);
  }

  @Override
  public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
    delegate.onEvent(event, context);
  }

  @Override
  public void onEvent(ServerSentEvent event) {
    delegate.onEvent(event);
  }

  @Override
  public void onError(Throwable throwable) {
    try {
      if (!call.isEnded()) Failures.record(call, throwable);
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
    }
    delegate.onError(throwable);
  }

  @Override
  public void onClose() {
    call.onBodyClosed();
    delegate.onClose();
  }
}

package dev.llmpulse.spring;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.core.internal.ErrorTypes;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.internal.RequestFacts;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Core's binding contract as Spring's RestClient and WebClient glue uses it: the same {@link
 * Binding} as any other binding, except that calls are observed by the one {@link HealthTracker}
 * the starter exposes (the OkHttp interceptor's when OkHttp is present), so one tracker and one
 * {@code llm} health component see every client of the application.
 */
final class HttpBinding {
  private final Binding binding;

  /** @param binding built with the starter's one tracker ({@code Settings.sharedHealth}) */
  HttpBinding(Binding binding) {
    this.binding = binding;
  }

  /** The request's wire format, or null when it is not an LLM API call. */
  WireFormat formatOf(String method, String path) {
    try {
      return binding.formatOf(method, path);
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      return null;
    }
  }

  /**
   * Starts recording, or null when the request is not an LLM API call or LLM Pulse failed to
   * start (counted, never thrown). {@code body} is read only when it is JSON and at most {@link
   * RequestFacts#MAX_BODY_BYTES}; else pass null. {@code tags}: the request's attribution (a
   * WebClient request attribute), null when none; the calling thread's scope fills the rest.
   */
  LlmCall start(WireFormat format, String host, String path, byte[] body, int length,
      Attribution.Tags tags) {
    return binding.start(format, host, path, body, length, true, tags);
  }

  RateLimitSnapshot rateLimits(Function<String, String> headers, int status) {
    return binding.rateLimits(headers, status);
  }

  boolean enforcing() {
    return binding.validation() == ValidationMode.ENFORCE;
  }

  /** ENFORCE: the failure replacing the end of an invalid answer; null when valid or observing. */
  InvalidLlmResponseException enforcement(LlmCall ended, String host, int status) {
    try {
      return binding.enforcement(ended, host, status);
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      return null;
    }
  }

  void internalError(Throwable t) {
    binding.internalError(t);
  }

  /**
   * The {@code error_type} of a failed exchange: core's names, plus the timeouts of Reactor
   * ({@code Mono.timeout}) and Reactor Netty ({@code ReadTimeoutException}, {@code
   * PrematureCloseException} after a response timeout), which are no {@code IOException}.
   */
  static String errorType(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException) return ErrorTypes.TIMEOUT;
      String name = t.getClass().getName();
      if (name.equals("io.netty.handler.timeout.ReadTimeoutException")
          || name.equals("io.netty.handler.timeout.WriteTimeoutException")
          || name.equals("io.netty.channel.ConnectTimeoutException")) {
        return ErrorTypes.TIMEOUT;
      }
    }
    return ErrorTypes.of(failure, false);
  }
}

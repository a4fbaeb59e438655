package dev.llmpulse.spring;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.internal.RequestFacts;
import java.net.URI;
import java.nio.ByteBuffer;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Records the LLM calls of a {@code WebClient} (Spring AI 1.x's streams, or the application's
 * own). The response body's {@link DataBuffer}s are teed into the call one by one as the
 * application consumes them, never joined or held; the call ends when the body completes, fails
 * or is canceled. The request body is looked at as it is written (its {@code model} and {@code
 * stream} fields, at most 1 MiB of JSON); the call starts then. Every other request passes
 * through untouched.
 */
final class LlmPulseExchangeFilter implements ExchangeFilterFunction {
  private final HttpBinding binding;

  LlmPulseExchangeFilter(HttpBinding binding) {
    this.binding = binding;
  }

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    Exchange exchange;
    ClientRequest teed;
    try {
      URI url = request.url();
      String method = request.method().name();
      WireFormat format = binding.formatOf(method, url.getRawPath());
      if (format == null) return next.exchange(request);
      exchange = new Exchange(binding, format, url, request.headers().getContentType(),
          attribution(request));
      teed = ClientRequest.from(request).body(exchange.teeing(request.body())).build();
    } catch (RuntimeException | LinkageError e) {
      binding.internalError(e);
      return next.exchange(request);
    }
    return next.exchange(teed)
        .doOnError(e -> exchange.failed(HttpBinding.errorType(e)))
        .doOnCancel(() -> exchange.failed("canceled"))
        .map(exchange::observe);
  }

  /**
   * The call's attribution: the request attribute named after {@link Attribution.Tags} (set with
   * {@code .attribute(Attribution.Tags.class.getName(), Attribution.tags(...))}), else the scope
   * of the thread that builds the exchange; reactive code does not keep a thread's scope.
   */
  private static Attribution.Tags attribution(ClientRequest request) {
    Object tags = request.attributes().get(Attribution.Tags.class.getName());
    return tags instanceof Attribution.Tags ? (Attribution.Tags) tags : Attribution.current();
  }

  /** One LLM call through the filter. */
  private static final class Exchange {
    private final HttpBinding binding;
    private final WireFormat format;
    private final URI url;
    private final boolean jsonBody;
    private boolean started;
    private volatile boolean responded;
    private volatile boolean bodySubscribed;
    private LlmCall call;
    private byte[] body = new byte[0]; // the request body while it is written, up to the cap
    private int bodyLength;
    private boolean bodyTooLarge;
    private byte[] scratch; // copies a direct buffer's bytes for the scanner, reused

    private final Attribution.Tags tags;

    Exchange(HttpBinding binding, WireFormat format, URI url, MediaType contentType,
        Attribution.Tags tags) {
      this.binding = binding;
      this.tags = tags;
      this.format = format;
      this.url = url;
      this.jsonBody = contentType != null && RequestFacts.isJson(contentType.toString());
    }

    /**
     * The call, started now (without its request body when none was written yet); null when it
     * is not recorded (LLM Pulse failed to start it: counted, never thrown).
     */
    synchronized LlmCall call() {
      if (!started) {
        started = true;
        boolean readable = jsonBody && !bodyTooLarge && body != null;
        call = binding.start(format, url.getHost(), url.getRawPath(), readable ? body : null,
            readable ? bodyLength : 0, tags);
        body = null;
      }
      return call;
    }

    BodyInserter<?, ? super ClientHttpRequest> teeing(
        BodyInserter<?, ? super ClientHttpRequest> original) {
      return (message, context) -> original.insert(new ClientHttpRequestDecorator(message) {
        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> content) {
          return super.writeWith(Flux.from(content)
              .doOnNext(Exchange.this::copyRequest)
              .doOnComplete(Exchange.this::requestWritten));
        }

        @Override
        public Mono<Void> setComplete() {
          requestWritten();
          return super.setComplete();
        }
      }, context);
    }

    private synchronized void copyRequest(DataBuffer buffer) {
      if (!jsonBody || bodyTooLarge || body == null) return;
      try {
        int n = buffer.readableByteCount();
        if (bodyLength + n > RequestFacts.MAX_BODY_BYTES) {
          bodyTooLarge = true;
          body = null;
          return;
        }
        if (bodyLength + n > body.length) {
          byte[] bigger = new byte[Math.max(bodyLength + n, Math.min(body.length * 2 + 256,
              RequestFacts.MAX_BODY_BYTES))];
          System.arraycopy(body, 0, bigger, 0, bodyLength);
          body = bigger;
        }
        int start = buffer.readPosition();
        for (int i = 0; i < n; i++) body[bodyLength + i] = buffer.getByte(start + i);
        bodyLength += n;
      } catch (RuntimeException | LinkageError e) {
        binding.internalError(e);
        bodyTooLarge = true;
        body = null;
      }
    }

    private void requestWritten() {
      call();
    }

    /**
     * The exchange failed or was canceled before its response arrived. Once it has arrived, the
     * body decides (Reactor cancels the exchange too when the application cancels the body,
     * e.g. Spring AI's {@code takeUntil("[DONE]")} right after the terminator).
     */
    void failed(String errorType) {
      LlmCall c = call();
      if (c == null) return;
      if (!responded) {
        c.onFailure(errorType);
      } else if (!bodySubscribed) {
        c.onBodyClosed(); // the body will never be read: the call must not stay in flight
      }
    }

    ClientResponse observe(ClientResponse response) {
      responded = true;
      LlmCall c = call();
      if (c == null) return response;
      int status;
      try {
        status = response.statusCode().value();
        HttpHeaders headers = response.headers().asHttpHeaders();
        RateLimitSnapshot limits = binding.rateLimits(headers::getFirst, status);
        c.onResponse(status, headers.getFirst(HttpHeaders.CONTENT_TYPE),
            headers.getFirst(HttpHeaders.CONTENT_ENCODING), limits);
      } catch (RuntimeException | LinkageError e) {
        binding.internalError(e);
        c.onNoBody();
        return response;
      }
      String host = url.getHost();
      return response.mutate().body(flux -> flux
          .doOnSubscribe(subscription -> bodySubscribed = true)
          .doOnNext(buffer -> tee(c, buffer))
          .concatWith(Mono.defer(() -> {
            c.onBodyEnd();
            InvalidLlmResponseException invalid = binding.enforcement(c, host, status);
            return invalid == null ? Mono.<DataBuffer>empty() : Mono.<DataBuffer>error(invalid);
          }))
          .doOnError(e -> c.onFailure(HttpBinding.errorType(e)))
          .doOnCancel(c::onBodyClosed)).build();
    }

    /** Shows one buffer's readable bytes to the call, without moving its read position. */
    private void tee(LlmCall c, DataBuffer buffer) {
      if (c.isEnded()) return;
      try (DataBuffer.ByteBufferIterator pieces = buffer.readableByteBuffers()) {
        while (pieces.hasNext()) {
          ByteBuffer piece = pieces.next();
          int n = piece.remaining();
          if (piece.hasArray()) {
            c.onBody(piece.array(), piece.arrayOffset() + piece.position(), n);
            continue;
          }
          if (scratch == null) scratch = new byte[8192];
          for (int done = 0; done < n; ) {
            int chunk = Math.min(scratch.length, n - done);
            piece.get(scratch, 0, chunk); // the iterator's buffers are views: the source stays
            c.onBody(scratch, 0, chunk);
            done += chunk;
          }
        }
      } catch (RuntimeException | LinkageError e) {
        binding.internalError(e);
      }
    }
  }
}

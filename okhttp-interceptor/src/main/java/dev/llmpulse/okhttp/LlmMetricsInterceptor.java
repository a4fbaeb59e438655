package dev.llmpulse.okhttp;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.LlmMetrics;
import dev.llmpulse.core.internal.RateLimitSnapshot;
import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.internal.Binding;
import dev.llmpulse.core.internal.ErrorTypes;
import dev.llmpulse.core.internal.RequestFacts;
import dev.llmpulse.pricing.PriceTable;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;

/**
 * An OkHttp interceptor that records every LLM call of the client in Prometheus: latency to the
 * end of the body, time to first chunk of streams, status and error type, rate-limit headroom,
 * token usage, cost, finish reasons, ghost successes and calls in flight. The application reads
 * exactly the bytes it would read without it, as soon as it would; nothing of the
 * instrumentation ever throws into the call.
 *
 * <pre>{@code
 * PrometheusRegistry registry = new PrometheusRegistry();          // or the host app's registry
 * LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
 *     .registry(registry)                        // default PrometheusRegistry.defaultRegistry
 *     .provider("api.holysheep.ai", "holysheep") // optional: host -> gen_ai_provider_name
 *     .prices(PriceTable.fromLiteLlm(in))        // optional: default PriceTable.bundled()
 *     .build();
 * OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor).build();
 * }</pre>
 *
 * <p>Add it with {@code addInterceptor} (an application interceptor): it then sees one call per
 * application request, bodies already decompressed, and retries and redirects inside the call.
 */
public final class LlmMetricsInterceptor implements Interceptor {
  private final Binding binding;
  private final LlmMetrics metrics;

  private LlmMetricsInterceptor(Builder builder) {
    this.binding = builder.settings.build(PriceTable.bundled());
    this.metrics = binding.metrics();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Passive health of every upstream this interceptor has seen (probe calls excluded): read it,
   * or subscribe to state changes to shed load or fail over.
   */
  public HealthTracker health() {
    return binding.health();
  }

  /** The {@code gen_ai_provider_name} this interceptor gives {@code host}. */
  String providerName(String host) {
    return binding.providerName(host);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    long enteredNanos = System.nanoTime();
    Request request = chain.request();
    Call okCall = chain.call();
    Recording outer = RECORDING.get();
    if (Recording.includes(outer, metrics, okCall)) {
      return chain.proceed(request); // an LLM Pulse layer nearer the app records this call
    }
    LlmCall call = start(request);
    if (call == null) return chain.proceed(request); // not an LLM API call: untouched

    Failures failures = new Failures(okCall, enteredNanos);
    Response response;
    RECORDING.set(new Recording(metrics, okCall, outer));
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      call.onFailure(failures.errorType(e));
      throw e;
    } catch (RuntimeException | Error e) {
      call.onFailure(ErrorTypes.IO_ERROR);
      throw e;
    } finally {
      // Back to the outer call, or to null: a null value holds nothing of LLM Pulse on a pooled
      // thread (the map's key, this ThreadLocal, is weak: no class-loader leak), and unlike
      // remove() it keeps the thread's entry for the next call instead of making a new one.
      RECORDING.set(outer);
    }
    return observe(call, failures, response);
  }

  /**
   * The OkHttp calls this thread is passing down the chain, each with the metric set recording
   * it: a second LLM Pulse interceptor on the same registry further down the same call (the same
   * interceptor added twice, or once more as a network interceptor) passes the call through
   * instead of counting it again, while any other call (another client's, made inside the chain)
   * is recorded. OkHttp runs a call's whole chain on one thread; kept per thread instead of as a
   * request tag, the mark costs no rebuilt request. Set only while a call is in the chain.
   */
  private static final ThreadLocal<Recording> RECORDING = new ThreadLocal<>();

  /** True while this thread passes an LLM call down an LLM Pulse chain (tests). */
  static boolean inChainOnThisThread() {
    return RECORDING.get() != null;
  }

  /** One (metric set, OkHttp call) in the chain on this thread, and the one it is nested in. */
  private static final class Recording {
    private final LlmMetrics metrics;
    private final Call call;
    private final Recording outer;

    Recording(LlmMetrics metrics, Call call, Recording outer) {
      this.metrics = metrics;
      this.call = call;
      this.outer = outer;
    }

    static boolean includes(Recording innermost, LlmMetrics metrics, Call call) {
      for (Recording r = innermost; r != null; r = r.outer) {
        if (r.metrics == metrics && r.call == call) return true;
      }
      return false;
    }
  }

  /** Starts recording, or null when the request is not an LLM API call (left untouched). */
  private LlmCall start(Request request) {
    try {
      String path = request.url().encodedPath();
      WireFormat format = binding.formatOf(request.method(), path);
      if (format == null) return null;
      byte[] body = readableBody(request.body());
      return binding.start(format, request.url().host(), path, body,
          body == null ? 0 : body.length,
          request.tag(LlmProbe.Tag.class) == null, // probes: not counted by health
          binding.attributes() ? request.tag(Attribution.Tags.class) : null);
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      return null;
    }
  }

  /**
   * The request body's bytes when they can be read without disturbing the call: JSON,
   * replayable (not one-shot, not duplex), of known length up to the cap; else null.
   */
  private static byte[] readableBody(RequestBody body) {
    if (body == null || body.isOneShot() || body.isDuplex()) return null;
    MediaType type = body.contentType();
    if (type == null || !RequestFacts.isJson(type.toString())) return null;
    try {
      long length = body.contentLength();
      if (length <= 0 || length > RequestFacts.MAX_BODY_BYTES) return null;
      Buffer buffer = new Buffer();
      body.writeTo(buffer);
      return buffer.readByteArray();
    } catch (IOException | RuntimeException e) {
      return null; // the call is still measured, without a model
    }
  }

  /**
   * The response headers a call reads, found in one pass over them: {@code Content-Type} and
   * {@code Content-Encoding} (the last value of each, any case, as {@code Response.header}) and
   * the rate-limit candidates, as rate-limit parsing looks them up (the last value of a name, any
   * case): the dozen names it asks for, most of them absent, are then looked up only between the
   * first and the last candidate (a name it asks for is always a candidate), and a response
   * without candidates costs no lookup at all.
   */
  private static final class ResponseHeaders implements Function<String, String> {
    // The rate-limit candidates, names in lower case (OkHttp's names are ASCII; already-lower
    // names, as HTTP/2 and most APIs send them, are kept as they are), in response order.
    private String[] names;
    private String[] values;
    private int count;
    String contentType;
    String contentEncoding;

    ResponseHeaders(Headers headers) {
      for (int i = 0, size = headers.size(); i < size; i++) {
        String name = headers.name(i);
        int length = name.length();
        if (length == 12 && RateLimitSnapshot.isHeader(name, "content-type")) {
          contentType = headers.value(i);
        } else if (length == 16 && RateLimitSnapshot.isHeader(name, "content-encoding")) {
          contentEncoding = headers.value(i);
        } else if (RateLimitSnapshot.mayReadHeader(name)) { // never one of those two
          if (names == null) {
            names = new String[8];
            values = new String[8];
          } else if (count == names.length) {
            names = java.util.Arrays.copyOf(names, count * 2);
            values = java.util.Arrays.copyOf(values, count * 2);
          }
          names[count] = lowerCase(name);
          values[count++] = headers.value(i);
        }
      }
    }

    /**
     * {@code name.toLowerCase(Locale.ROOT)} for OkHttp's ASCII header names, faster: a name
     * already in lower case, as HTTP/2 and most APIs send them, is returned as it is.
     */
    static String lowerCase(String name) {
      for (int i = 0, n = name.length(); i < n; i++) {
        char c = name.charAt(i);
        if (c >= 'A' && c <= 'Z') return name.toLowerCase(java.util.Locale.ROOT);
      }
      return name;
    }

    /** The last value of {@code name}, which parse always asks for in lower case. */
    @Override
    public String apply(String name) {
      for (int i = count - 1; i >= 0; i--) {
        if (names[i].equals(name)) return values[i];
      }
      return null;
    }
  }

  private Response observe(LlmCall call, Failures failures, Response response)
      throws IOException {
    MeteredBody metered;
    try {
      int code = response.code();
      ResponseHeaders headers = new ResponseHeaders(response.headers());
      RateLimitSnapshot limits = binding.rateLimits(headers, code);
      call.onResponse(code, headers.contentType, headers.contentEncoding, limits);
      ResponseBody body = response.body();
      if (body == null || "HEAD".equals(response.request().method())) {
        call.onNoBody();
        return response;
      }
      String host = response.request().url().host();
      MeteredBody.EofCheck enforce = binding.validation() != ValidationMode.ENFORCE ? null
          : ended -> binding.enforcement(ended, host, code);
      metered = new MeteredBody(body, call, failures, enforce);
      if (enforce == null || !response.isSuccessful() || call.isStream()) {
        return response.newBuilder().body(metered).build();
      }
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      call.onNoBody();
      return response;
    }
    return readWholeAndJudge(call, failures, response, metered);
  }

  /**
   * ENFORCE, non-streaming: read the body (up to the cap) before the app does, so an invalid one
   * fails the call itself. Bodies above the cap are passed through and judged at EOF.
   */
  private Response readWholeAndJudge(LlmCall call, Failures failures, Response response,
      MeteredBody metered) throws IOException {
    okio.BufferedSource original = response.body().source();
    try {
      if (original.request(binding.maxEnforcedBodyBytes() + 1)) {
        return response.newBuilder().body(metered).build(); // too big to hold: judged at EOF
      }
    } catch (IOException e) {
      call.onFailure(failures.errorType(e));
      response.close();
      throw e;
    }
    okio.Buffer whole = new okio.Buffer();
    try {
      metered.source().readAll(whole); // EOF through the tee: the call is recorded and judged
    } catch (IOException e) {
      response.close();
      throw e;
    }
    metered.close();
    return response.newBuilder()
        .body(ResponseBody.create(whole, metered.contentType(), whole.size()))
        .build();
  }

  /**
   * Names the failures of one OkHttp call. OkHttp enforces {@code callTimeout} by canceling the
   * call: inside the interceptor chain the failure is then a plain "Canceled" (the app later gets
   * {@code InterruptedIOException: timeout}), so a canceled call whose call timeout has (nearly)
   * elapsed since this interceptor saw it is a {@code timeout}; only the application's own cancel
   * is {@code canceled}. "Nearly": OkHttp starts the call's clock a little before the interceptor
   * runs (more on a loaded machine, or after slow interceptors placed before this one), so a
   * cancel within the last tenth of the call timeout (at least 10 ms) counts as the timeout; an
   * application that cancels in that window is recorded as a timeout.
   */
  static final class Failures implements MeteredBody.FailureClassifier {
    private static final long MIN_TIMEOUT_SLACK_NANOS = 10_000_000L;
    private final Call call;
    private final long startNanos;

    Failures(Call call, long startNanos) {
      this.call = call;
      this.startNanos = startNanos;
    }

    @Override
    public String errorType(IOException e) {
      boolean canceled = false;
      try {
        canceled = call != null && call.isCanceled();
        if (canceled) {
          long limit = call.timeout().timeoutNanos();
          long slack = Math.max(MIN_TIMEOUT_SLACK_NANOS, limit / 10);
          if (limit > 0 && System.nanoTime() - startNanos >= limit - slack) {
            return ErrorTypes.TIMEOUT;
          }
        }
      } catch (RuntimeException | LinkageError ignored) {
        // An OkHttp without Call.timeout(): judge from the exception alone.
      }
      return ErrorTypes.of(e, canceled);
    }
  }

  /** Configures an {@link LlmMetricsInterceptor}; every setting is optional. */
  public static final class Builder {
    private final Binding.Settings settings = Binding.settings();

    private Builder() {}

    /** Where the metrics go; several interceptors on one registry share one metric set. */
    public Builder registry(PrometheusRegistry registry) {
      settings.registry(registry);
      return this;
    }

    /**
     * Names the provider behind {@code host} (exact host, case-insensitive) for the {@code
     * gen_ai_provider_name} label, e.g. a gateway, a reseller or a local server ({@code
     * .provider("localhost", "ollama")}). Well-known hosts need none. Blank values are rejected.
     */
    public Builder provider(String host, String providerName) {
      settings.provider(host, providerName);
      return this;
    }

    /**
     * Records calls to a path the built-in detection does not know, as {@code format}: for a
     * gateway that renames the API paths. Only POSTs to a known LLM API path are recorded;
     * every other call of the client ({@code GET /health}, {@code /v1/models}, your own APIs)
     * passes through untouched. A request path matches when it ends with {@code path} at a
     * segment boundary ({@code "/llm/chat"} matches {@code /team-a/llm/chat}), ignoring case,
     * trailing slashes and the query.
     *
     * <pre>{@code
     * builder.apiPath("/gateway/v2/generate", WireFormat.OPENAI_CHAT)
     * }</pre>
     */
    public Builder apiPath(String path, WireFormat format) {
      settings.apiPath(path, format);
      return this;
    }

    /** Prices calls; default {@link PriceTable#bundled()}. {@link CostModel#NONE} turns cost off. */
    public Builder prices(CostModel costModel) {
      settings.prices(costModel);
      return this;
    }

    /** What to do with 2xx responses that are not a usable answer; default OBSERVE. */
    public Builder validation(ValidationMode mode) {
      settings.validation(mode);
      return this;
    }

    /**
     * ENFORCE mode: the largest non-streaming body read whole before the app gets it (default
     * 1 MiB); larger bodies are passed through and judged when the app reaches their end.
     */
    public Builder maxEnforcedBodyBytes(long bytes) {
      settings.maxEnforcedBodyBytes(bytes);
      return this;
    }

    /**
     * Declares an attribution key: its values, set per call by an {@code Attribution.Tags}
     * request tag ({@code .tag(Attribution.Tags.class, Attribution.tags("feature", "refunds"))},
     * which works with {@code enqueue()} too) or by {@link Attribution#with} around a blocking
     * {@code execute()} (read on the thread running the interceptor; the tag wins), become
     * labels of the tokens, cost and calls counters, bounded by the key's cap or allow-list.
     * Every binding on one registry declares the same keys.
     *
     * <pre>{@code
     * builder.attribution(Attribution.key("feature").allow("refunds", "order_status"))
     *     .attribution(Attribution.key("tenant").maxValues(50))
     * }</pre>
     */
    public Builder attribution(Attribution.Key key) {
      settings.attribution(key);
      return this;
    }

    /** How the passive health tracker judges upstreams; default {@link HealthPolicy#ofDefaults()}. */
    public Builder health(HealthPolicy policy) {
      settings.health(policy);
      return this;
    }

    /** Monotonic nanoseconds; tests inject a fake clock. */
    Builder clock(LongSupplier clock) {
      settings.clock(clock);
      return this;
    }

    /**
     * @throws IllegalStateException when the registry already holds a metric with one of LLM
     *     Pulse's names (the message says which, and the way out)
     */
    public LlmMetricsInterceptor build() {
      return new LlmMetricsInterceptor(this);
    }
  }
}

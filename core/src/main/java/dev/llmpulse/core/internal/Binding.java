package dev.llmpulse.core.internal;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Everything an HTTP client binding needs from core, built once from the settings every binding
 * offers (registry, provider names, API paths, prices, validation, health): which requests are
 * LLM calls, what they ask for, how they start, how failures are named, when ENFORCE fails a
 * call. A binding is then only the glue that turns its client's request, headers, body bytes and
 * failures into these calls and {@link LlmCall}'s.
 *
 * <p>Part of the binding contract: no compatibility promise.
 *
 * <pre>{@code
 * Binding binding = settings.build(PriceTable.bundled());
 * WireFormat format = binding.formatOf(method, path);
 * if (format == null) return next.execute(request); // not an LLM call: untouched
 * LlmCall call = binding.start(format, host, path, bodyBytes, bodyLength, true);
 * }</pre>
 */
public final class Binding {
  private final LlmMetrics metrics;
  private final ProviderNames providers;
  private final PathFormats paths;
  private final CostModel costModel;
  private final ValidationMode validation;
  private final long maxEnforcedBodyBytes;
  private final HealthTracker health;
  private final LongSupplier clock;
  private final AttributionLabels attribution; // null: no key declared, nothing read per call

  private Binding(Settings s, CostModel defaultPrices) {
    this.metrics = LlmMetrics.forRegistry(s.registry, s.attribution);
    this.attribution = metrics.attribution();
    this.providers = new ProviderNames(new HashMap<>(s.providers));
    this.paths = PathFormats.of(s.paths);
    this.costModel = s.costModel != null ? s.costModel
        : defaultPrices != null ? defaultPrices : CostModel.NONE;
    this.validation = s.validation;
    this.maxEnforcedBodyBytes = s.maxEnforcedBodyBytes;
    this.health = s.sharedHealth != null ? s.sharedHealth
        : HealthTracker.create(s.healthPolicy, s.registry, s.clock);
    this.clock = s.clock;
  }

  /** New settings, all at their defaults. */
  public static Settings settings() {
    return new Settings();
  }

  public LlmMetrics metrics() {
    return metrics;
  }

  /** Passive health of every upstream this binding has seen (probes excluded). */
  public HealthTracker health() {
    return health;
  }

  public ValidationMode validation() {
    return validation;
  }

  /** ENFORCE: the largest whole (non-streaming) body read before the application gets it. */
  public long maxEnforcedBodyBytes() {
    return maxEnforcedBodyBytes;
  }

  /** The {@code gen_ai_provider_name} of {@code host}. */
  public String providerName(String host) {
    return providers.forHost(host);
  }

  /**
   * The wire format of a request, or null when it is not an LLM API call (any method but POST,
   * a path neither the user's {@code apiPath}s nor the built-in detection know).
   */
  public WireFormat formatOf(String method, String path) {
    if (!"POST".equalsIgnoreCase(method)) return null;
    WireFormat format = paths.formatOf(path);
    if (format == null) format = WireFormat.detect(path);
    return format.isParsed() ? format : null;
  }

  /**
   * Starts recording one call of {@code format} (from {@link #formatOf}, which a binding asks
   * first so it reads no body of a call that is not an LLM call), or returns null when LLM Pulse
   * failed to start it (counted, never thrown). The in-flight gauge goes up until the call ends.
   *
   * @param body the request body when the binding could read it safely (JSON, replayable, at
   *     most {@link RequestFacts#MAX_BODY_BYTES}), else null
   * @param tracked false for probe calls, which health must not count
   */
  public LlmCall start(WireFormat format, String host, String path, byte[] body, int bodyLength,
      boolean tracked) {
    return start(format, host, path, body, bodyLength, tracked, null);
  }

  /**
   * True when attribution keys are declared: only then is a request's {@link Attribution.Tags}
   * tag worth looking up.
   */
  public boolean attributes() {
    return attribution != null;
  }

  /**
   * The same, with the request's own attribution tags (null when none): they win over the
   * calling thread's {@link Attribution#with scope}, read here, on the thread starting the call.
   */
  public LlmCall start(WireFormat format, String host, String path, byte[] body, int bodyLength,
      boolean tracked, Attribution.Tags requestTags) {
    try {
      if (format == null || !format.isParsed()) return null;
      RequestFacts facts = RequestFacts.of(format, path, body, bodyLength);
      String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
      LlmCall call = metrics.startCall(format, providers.forRequest(h, path), facts.model, h,
          facts.stream, costModel, clock, tracked ? health : null).rawRequestModel(facts.model);
      if (attribution != null) {
        call.attribution(attribution.resolve(requestTags, Attribution.current()));
      }
      return call;
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      return null;
    }
  }

  /** The response's rate-limit headers; {@link RateLimitSnapshot#EMPTY} when unreadable. */
  public RateLimitSnapshot rateLimits(Function<String, String> headers, int status) {
    try {
      return RateLimitSnapshot.parse(headers, status, System.currentTimeMillis());
    } catch (RuntimeException | LinkageError e) {
      metrics.internalError(e);
      return RateLimitSnapshot.EMPTY;
    }
  }

  /**
   * ENFORCE mode: the exception that replaces the end of a body judged not a usable answer;
   * null in OBSERVE mode or when the answer is valid.
   */
  public InvalidLlmResponseException enforcement(LlmCall ended, String host, int status) {
    if (validation != ValidationMode.ENFORCE) return null;
    InvalidResponseReason reason = ended.invalidReason();
    return reason == null ? null : new InvalidLlmResponseException(reason, host, status);
  }

  /** Counts an internal failure of the binding and logs the first; never throws. */
  public void internalError(Throwable t) {
    metrics.internalError(t);
  }

  /** The settings every binding's builder offers; each setter validates at once. */
  public static final class Settings {
    private PrometheusRegistry registry = PrometheusRegistry.defaultRegistry;
    private final Map<String, String> providers = new HashMap<>();
    private final Map<String, WireFormat> paths = new HashMap<>();
    private CostModel costModel;
    private ValidationMode validation = ValidationMode.OBSERVE;
    private long maxEnforcedBodyBytes = 1024 * 1024;
    private HealthPolicy healthPolicy = HealthPolicy.ofDefaults();
    private HealthTracker sharedHealth;
    private LongSupplier clock = System::nanoTime;
    private final List<Attribution.Key> attribution = new ArrayList<>();

    private Settings() {}

    /**
     * Declares an attribution key (at most {@link Attribution#MAX_KEYS}, each name once).
     *
     * @throws IllegalArgumentException on a second key of the same name or one key too many
     */
    public Settings attribution(Attribution.Key key) {
      if (key == null) throw new NullPointerException("key");
      for (Attribution.Key k : attribution) {
        if (k.name().equals(key.name())) {
          throw new IllegalArgumentException("attribution key '" + key.name()
              + "' declared twice");
        }
      }
      if (attribution.size() >= Attribution.MAX_KEYS) {
        throw new IllegalArgumentException("at most " + Attribution.MAX_KEYS
            + " attribution keys: " + attribution + " and " + key);
      }
      attribution.add(key);
      return this;
    }

    public Settings registry(PrometheusRegistry registry) {
      if (registry == null) throw new NullPointerException("registry");
      this.registry = registry;
      return this;
    }

    public Settings provider(String host, String providerName) {
      if (host == null || host.trim().isEmpty()) {
        throw new IllegalArgumentException("host is blank");
      }
      if (providerName == null || providerName.trim().isEmpty()) {
        throw new IllegalArgumentException("provider name for " + host + " is blank");
      }
      providers.put(host.trim().toLowerCase(Locale.ROOT), providerName.trim());
      return this;
    }

    public Settings apiPath(String path, WireFormat format) {
      if (format == null) throw new NullPointerException("format");
      if (!format.isParsed()) {
        throw new IllegalArgumentException("API path " + path + " needs a known wire format, not "
            + format);
      }
      paths.put(PathFormats.normalise(path), format);
      return this;
    }

    public Settings prices(CostModel costModel) {
      if (costModel == null) throw new NullPointerException("costModel");
      this.costModel = costModel;
      return this;
    }

    public Settings validation(ValidationMode mode) {
      if (mode == null) throw new NullPointerException("mode");
      this.validation = mode;
      return this;
    }

    public Settings maxEnforcedBodyBytes(long bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("maxEnforcedBodyBytes < 1024: " + bytes);
      this.maxEnforcedBodyBytes = bytes;
      return this;
    }

    /**
     * Feeds {@code tracker} (another binding's) instead of a tracker of this binding's own, so
     * an application whose LLM calls go through several clients has one view of each upstream.
     */
    public Settings sharedHealth(HealthTracker tracker) {
      if (tracker == null) throw new NullPointerException("tracker");
      this.sharedHealth = tracker;
      return this;
    }

    public Settings health(HealthPolicy policy) {
      if (policy == null) throw new NullPointerException("policy");
      this.healthPolicy = policy;
      return this;
    }

    /** Monotonic nanoseconds; tests inject a fake clock. */
    public Settings clock(LongSupplier clock) {
      if (clock == null) throw new NullPointerException("clock");
      this.clock = clock;
      return this;
    }

    /**
     * @param defaultPrices the binding's default cost model (the bundled price table) when the
     *     user set none
     * @throws IllegalStateException when the registry already holds one of LLM Pulse's metric
     *     names with another definition, or LLM Pulse's metrics with other attribution keys
     */
    public Binding build(CostModel defaultPrices) {
      return new Binding(this, defaultPrices);
    }
  }
}

package dev.llmpulse.spring;

import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.util.unit.DataSize;

/**
 * LLM Pulse's settings under {@code llmpulse.*}. Every one is optional. A bad value fails startup
 * with a message that names the property ({@code Failed to bind properties under
 * 'llmpulse.health.window'}, then why).
 *
 * <pre>
 * llmpulse.providers[api.holysheep.ai]=holysheep
 * llmpulse.api-paths[/gateway/v2/generate]=openai_chat
 * llmpulse.health.p95-duration=5s
 * llmpulse.probe.enabled=true
 * llmpulse.probe.base-url=https://api.openai.com/v1
 * llmpulse.probe.generation-model=gpt-4o-mini
 * llmpulse.probe.headers.Authorization=Bearer ${OPENAI_API_KEY}
 * </pre>
 */
@ConfigurationProperties("llmpulse")
public final class LlmPulseProperties {
  /** Whether LLM Pulse instruments the application at all. */
  private boolean enabled = true;

  /**
   * What to do with an HTTP 2xx answer that is not a usable answer (empty, truncated, not JSON, a
   * stream without its end): OBSERVE counts it in gen_ai_client_invalid_responses_total; ENFORCE
   * also fails the call with InvalidLlmResponseException.
   */
  private ValidationMode validation = ValidationMode.OBSERVE;

  /**
   * ENFORCE mode: the largest whole (non-streaming) answer the OkHttp interceptor reads before the
   * application gets it; larger ones are judged when the application reaches their end.
   */
  private DataSize maxEnforcedBodySize = DataSize.ofMegabytes(1);

  /**
   * Request host to gen_ai_provider_name, for hosts LLM Pulse does not know (a gateway, a
   * reseller, a local server): {@code llmpulse.providers[api.holysheep.ai]=holysheep}.
   */
  private Map<String, String> providers = new LinkedHashMap<>();

  /**
   * A gateway's own API path to the wire format it speaks, so calls to it are recorded:
   * {@code llmpulse.api-paths[/gateway/v2/generate]=openai_chat}. Only POSTs to known LLM API
   * paths are recorded; every other call passes untouched.
   */
  private Map<String, WireFormat> apiPaths = new LinkedHashMap<>();

  private final Prices prices = new Prices();
  private final Health health = new Health();
  private final Probe probe = new Probe();
  private final Clients clients = new Clients();

  /**
   * Attribution keys, each becoming a label on the token, cost and calls counters: {@code
   * llmpulse.attribution.feature.max-values=50}, {@code
   * llmpulse.attribution.feature.allow=refunds,order_status}. Values per call come from an {@code
   * Attribution.with(...)} scope (RestClient, Spring AI's blocking calls) or a WebClient request
   * attribute named after {@code Attribution.Tags}.
   */
  private Map<String, AttributionKey> attribution = new LinkedHashMap<>();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public ValidationMode getValidation() {
    return validation;
  }

  public void setValidation(ValidationMode validation) {
    this.validation = validation;
  }

  public DataSize getMaxEnforcedBodySize() {
    return maxEnforcedBodySize;
  }

  public void setMaxEnforcedBodySize(DataSize size) {
    this.maxEnforcedBodySize = size;
  }

  public Map<String, String> getProviders() {
    return providers;
  }

  public void setProviders(Map<String, String> providers) {
    this.providers = providers;
  }

  public Map<String, WireFormat> getApiPaths() {
    return apiPaths;
  }

  public void setApiPaths(Map<String, WireFormat> apiPaths) {
    this.apiPaths = apiPaths;
  }

  public Prices getPrices() {
    return prices;
  }

  public Health getHealth() {
    return health;
  }

  public Probe getProbe() {
    return probe;
  }

  public Map<String, AttributionKey> getAttribution() {
    return attribution;
  }

  public void setAttribution(Map<String, AttributionKey> attribution) {
    this.attribution = attribution;
  }

  public Clients getClients() {
    return clients;
  }

  /** Where call costs come from. */
  public static final class Prices {
    /** Whether calls are priced (gen_ai_client_cost_usd_total); false turns cost off. */
    private boolean enabled = true;

    /**
     * A price file instead of the bundled table, e.g. {@code file:/etc/llm/prices.json} or
     * {@code classpath:prices.json}.
     */
    private Resource location;

    /** The format of the price file: LiteLLM's model_prices_and_context_window.json or LLM Pulse's own. */
    private PriceFormat format = PriceFormat.LITELLM;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Resource getLocation() {
      return location;
    }

    public void setLocation(Resource location) {
      this.location = location;
    }

    public PriceFormat getFormat() {
      return format;
    }

    public void setFormat(PriceFormat format) {
      this.format = format;
    }
  }

  /** The formats a price file can have. */
  public enum PriceFormat {
    /** LiteLLM's {@code model_prices_and_context_window.json}. */
    LITELLM,
    /** LLM Pulse's own price table (see PriceTable.fromJson). */
    LLMPULSE
  }

  /** The passive health tracker's policy and the {@code llm} health component. */
  public static final class Health {
    /**
     * Whether /actuator/health has the component {@code llm} (DOWN while an LLM upstream is
     * down). On by default: Boot's Kubernetes probes (/actuator/health/liveness and /readiness)
     * leave it out unless you add it to a group, so an LLM outage neither restarts nor unroutes
     * the application; set false when something routes traffic on /actuator/health itself.
     */
    private boolean indicatorEnabled = true;

    /** The sliding window health is judged over, 10s to 1h. */
    private Duration window = Duration.ofSeconds(60);

    /** Calls needed in the window before ratios and percentiles count. */
    private int minCalls = 5;

    /** Error ratio (0..1] from which an upstream is degraded. */
    private double degradedErrorRatio = 0.05;

    /** Error ratio (0..1] from which an upstream is down. */
    private double downErrorRatio = 0.5;

    /** Consecutive failed calls that make an upstream down at once. */
    private int downAfterConsecutiveFailures = 5;

    /** Degraded when the window's p95 call duration is above this; off when unset. */
    private Duration p95Duration;

    /** Degraded when the window's p95 time to first chunk of streams is above this; off when unset. */
    private Duration p95TimeToFirstChunk;

    /** Degraded while a call has been in flight longer than this; default the p95-duration. */
    private Duration stallAfter;

    /** Whether each request model is tracked as its own upstream. */
    private boolean perModel;

    public boolean isIndicatorEnabled() {
      return indicatorEnabled;
    }

    public void setIndicatorEnabled(boolean indicatorEnabled) {
      this.indicatorEnabled = indicatorEnabled;
    }

    public Duration getWindow() {
      return window;
    }

    public void setWindow(Duration window) {
      this.window = window;
    }

    public int getMinCalls() {
      return minCalls;
    }

    public void setMinCalls(int minCalls) {
      this.minCalls = minCalls;
    }

    public double getDegradedErrorRatio() {
      return degradedErrorRatio;
    }

    public void setDegradedErrorRatio(double ratio) {
      this.degradedErrorRatio = ratio;
    }

    public double getDownErrorRatio() {
      return downErrorRatio;
    }

    public void setDownErrorRatio(double ratio) {
      this.downErrorRatio = ratio;
    }

    public int getDownAfterConsecutiveFailures() {
      return downAfterConsecutiveFailures;
    }

    public void setDownAfterConsecutiveFailures(int failures) {
      this.downAfterConsecutiveFailures = failures;
    }

    public Duration getP95Duration() {
      return p95Duration;
    }

    public void setP95Duration(Duration slo) {
      this.p95Duration = slo;
    }

    public Duration getP95TimeToFirstChunk() {
      return p95TimeToFirstChunk;
    }

    public void setP95TimeToFirstChunk(Duration slo) {
      this.p95TimeToFirstChunk = slo;
    }

    public Duration getStallAfter() {
      return stallAfter;
    }

    public void setStallAfter(Duration stallAfter) {
      this.stallAfter = stallAfter;
    }

    public boolean isPerModel() {
      return perModel;
    }

    public void setPerModel(boolean perModel) {
      this.perModel = perModel;
    }
  }

  /**
   * An active probe of one LLM API for quiet periods (needs OkHttp on the class path). Off by
   * default: a generation probe is real spend, and providers ban keys that poll too fast.
   */
  public static final class Probe {
    /** Whether the probe runs. */
    private boolean enabled;

    /** The API's base URL, e.g. https://api.openai.com/v1. */
    private String baseUrl;

    /** Whether to probe GET {base-url}/models (cheap; says nothing about a model). */
    private boolean models;

    /** A model to probe with a one-token generation (real spend, counted in the cost metric). */
    private String generationModel;

    /** Time between rounds, at least 10s. */
    private Duration interval = Duration.ofSeconds(30);

    /** Whole-call timeout of one probe request. */
    private Duration timeout = Duration.ofSeconds(30);

    /** The longest wait after repeated failures (doubling from the interval), at least 10s. */
    private Duration maxBackoff = Duration.ofMinutes(10);

    /** Random spread of each interval, 0 to 0.5 of it. */
    private double jitter = 0.1;

    /** Rounds are skipped while the last rate-limit headers leave less than this fraction, [0, 1). */
    private double minHeadroom = 0.05;

    /** The gen_ai_provider_name label; default: the name LLM Pulse gives the host. */
    private String provider;

    /** Headers of every probe request, e.g. {@code Authorization: Bearer ...}. */
    private Map<String, String> headers = new LinkedHashMap<>();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getBaseUrl() {
      return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
    }

    public boolean isModels() {
      return models;
    }

    public void setModels(boolean models) {
      this.models = models;
    }

    public String getGenerationModel() {
      return generationModel;
    }

    public void setGenerationModel(String generationModel) {
      this.generationModel = generationModel;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    public Duration getMaxBackoff() {
      return maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
    }

    public double getJitter() {
      return jitter;
    }

    public void setJitter(double jitter) {
      this.jitter = jitter;
    }

    public double getMinHeadroom() {
      return minHeadroom;
    }

    public void setMinHeadroom(double minHeadroom) {
      this.minHeadroom = minHeadroom;
    }

    public String getProvider() {
      return provider;
    }

    public void setProvider(String provider) {
      this.provider = provider;
    }

    public Map<String, String> getHeaders() {
      return headers;
    }

    public void setHeaders(Map<String, String> headers) {
      this.headers = headers;
    }
  }

  /** Which of the application's HTTP clients LLM Pulse instruments. */
  public static final class Clients {
    /** Spring AI 2's OpenAI and Anthropic clients (through their OkHttp customizers). */
    private boolean springAi = true;

    /** Every RestClient built from Boot's RestClient.Builder (Spring AI 1.x's blocking calls). */
    private boolean restClient = true;

    /** Every WebClient built from Boot's WebClient.Builder (Spring AI 1.x's streams). */
    private boolean webClient = true;

    public boolean isSpringAi() {
      return springAi;
    }

    public void setSpringAi(boolean springAi) {
      this.springAi = springAi;
    }

    public boolean isRestClient() {
      return restClient;
    }

    public void setRestClient(boolean restClient) {
      this.restClient = restClient;
    }

    public boolean isWebClient() {
      return webClient;
    }

    public void setWebClient(boolean webClient) {
      this.webClient = webClient;
    }
  }

  /** One attribution key: how many distinct values it may take, and optionally which. */
  public static final class AttributionKey {
    /** Distinct values kept before the rest become _OTHER. */
    private int maxValues = 50;

    /** When set, the only values kept; any other becomes _OTHER. */
    private List<String> allow = new ArrayList<>();

    public int getMaxValues() {
      return maxValues;
    }

    public void setMaxValues(int maxValues) {
      this.maxValues = maxValues;
    }

    public List<String> getAllow() {
      return allow;
    }

    public void setAllow(List<String> allow) {
      this.allow = allow;
    }
  }
}

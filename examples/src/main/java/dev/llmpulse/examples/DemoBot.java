package dev.llmpulse.examples;

import com.sun.net.httpserver.HttpExchange;
import dev.llmpulse.core.Attribution;
import dev.llmpulse.okhttp.DispatcherMetrics;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import dev.llmpulse.okhttp.LlmProbe;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A simulated customer-service bot: customers arrive at random (Poisson, {@code --rate} per
 * second) and each one makes an LLM call through one instrumented {@link OkHttpClient}: OpenAI
 * chat completions (gpt-4o-mini, streaming with {@code include_usage} or not) and Anthropic
 * messages (claude-haiku-4-5, with a cached system prompt). The calls go to an embedded
 * {@link FakeUpstream} that plays a {@link Scenario}, or, with {@code LLM_BASE_URL} and
 * {@code LLM_API_KEY} set, to a real OpenAI-compatible API. An {@link LlmProbe} checks the
 * upstream through the same client (a one-token generation every 10 s on the fake upstream).
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -q -pl examples compile exec:java -Dexec.args="--scenario=normal --port=9464"
 * </pre>
 *
 * <p>{@code /metrics} on the port (default 9464) is the scrape; {@code POST /scenario/incident}
 * on the same port, or typing {@code incident} and Enter, switches the scenario while it runs.
 */
public final class DemoBot implements Closeable {
  private static final MediaType JSON = MediaType.get("application/json");
  /** The bot's flows, each a value of the {@code feature} attribution key, and a question. */
  private static final String[][] QUESTIONS = {
      {"order_status", "Where is my order #48213?"},
      {"escalation", "My parcel is three days late, what can you do?"},
      {"refunds", "How do I return a pair of shoes that don't fit?"},
      {"product_info", "Does the midnight sale price apply to items already in my cart?"},
      {"order_status", "Please change my delivery address to 12 Harbour Street."},
      {"product_info", "Is the trail runner back in stock in size 42?"},
  };
  static final String[] FLOWS = {"order_status", "refunds", "escalation", "product_info"};
  /** The shops (tenants) the bot serves; the {@code tenant} attribution key. */
  static final String[] TENANTS = {"shoes-eu", "shoes-us", "outlet"};
  private static final String SYSTEM_PROMPT = "You are the friendly customer-service assistant of "
      + "an online shoe shop. Answer in one or two sentences. Never invent order data.";

  /** Settings of one run; {@link #parse} reads them from {@code --name=value} arguments. */
  public static final class Options {
    public Scenario scenario = Scenario.NORMAL;
    public int port = 9464;
    public String bind = "127.0.0.1";
    /** New customers per second; default 3 against the fake upstream, 0.2 against a real one. */
    public double rate = Double.NaN;
    /** Incident: seconds of 15 s answers before the 429s start. */
    public double incidentSlowSeconds = 90;
    public long retryAfterSeconds = 20;
    public boolean stdin = true;
    public boolean quiet;
    /** Real upstream: from LLM_BASE_URL / LLM_API_KEY / LLM_MODEL unless set. */
    public String baseUrl = System.getenv("LLM_BASE_URL");
    public String apiKey = System.getenv("LLM_API_KEY");
    public String model = envOr("LLM_MODEL", "gpt-4o-mini");

    public static Options parse(String... args) {
      Options o = new Options();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        if (!arg.startsWith("--") || eq < 0) {
          if (arg.equals("--help") || arg.equals("-h")) throw new IllegalArgumentException("");
          throw new IllegalArgumentException("unknown argument " + arg);
        }
        String name = arg.substring(2, eq);
        String value = arg.substring(eq + 1);
        switch (name) {
          case "scenario": o.scenario = Scenario.parse(value); break;
          case "port": o.port = Integer.parseInt(value); break;
          case "bind": o.bind = value; break;
          case "rate": o.rate = Double.parseDouble(value); break;
          case "incident-slow-seconds": o.incidentSlowSeconds = Double.parseDouble(value); break;
          case "retry-after-seconds": o.retryAfterSeconds = Long.parseLong(value); break;
          case "stdin": o.stdin = Boolean.parseBoolean(value); break;
          case "quiet": o.quiet = Boolean.parseBoolean(value); break;
          case "model": o.model = value; break;
          default: throw new IllegalArgumentException("unknown option --" + name);
        }
      }
      return o;
    }

    boolean realUpstream() {
      return baseUrl != null && !baseUrl.isBlank() && apiKey != null && !apiKey.isBlank();
    }
  }

  static final String USAGE = String.join("\n",
      "usage: DemoBot [--scenario=normal|incident|ghost|outage] [--port=9464] [--bind=127.0.0.1]",
      "               [--rate=3] [--incident-slow-seconds=90] [--retry-after-seconds=20]",
      "               [--stdin=true] [--quiet=false] [--model=gpt-4o-mini]",
      "Switch scenario while running: type normal|incident|ghost|outage + Enter, or",
      "  curl -X POST http://127.0.0.1:9464/scenario/incident",
      "Real upstream: set LLM_BASE_URL (e.g. https://api.openai.com/v1) and LLM_API_KEY.");

  private final Options options;
  private final PrometheusRegistry registry;
  private final FakeUpstream upstream;
  private final OkHttpClient client;
  private final HTTPServer metricsServer;
  private final LlmProbe probe;
  private final Thread arrivals;
  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean running = true;

  private DemoBot(Options options) throws IOException {
    this.options = options;
    if (Double.isNaN(options.rate)) options.rate = options.realUpstream() ? 0.2 : 3;
    this.registry = new PrometheusRegistry();
    this.upstream = options.realUpstream() ? null
        : new FakeUpstream(options.scenario, options.incidentSlowSeconds,
            options.retryAfterSeconds);

    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(64);
    dispatcher.setMaxRequestsPerHost(16); // in the incident the rest waits in the queue
    OkHttpClient.Builder builder = new OkHttpClient.Builder();
    if (upstream != null) builder.addInterceptor(this::toFakeUpstream);
    builder.addInterceptor(LlmMetricsInterceptor.builder().registry(registry)
            // Who spends: each call is tagged with its flow and shop (see nextRequest).
            .attribution(Attribution.key("feature").allow(FLOWS))
            .attribution(Attribution.key("tenant").maxValues(20))
            .build())
        .dispatcher(dispatcher)
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(30))
        .callTimeout(Duration.ofSeconds(60));
    if (upstream != null) {
      // The fake upstream answers for api.openai.com and api.anthropic.com on loopback, so the
      // provider and server_address labels are the real ones.
      builder.dns(hostname -> Collections.singletonList(InetAddress.getLoopbackAddress()));
    }
    this.client = builder.build();
    DispatcherMetrics.register(registry, "demo-bot", client); // queue pile-up, as in ORIGIN.md
    this.probe = buildProbe();
    probe.start();

    this.metricsServer = HTTPServer.builder()
        .inetAddress(InetAddress.getByName(options.bind))
        .port(options.port)
        .registry(registry)
        .defaultHandler(this::admin)
        .buildAndStart();
    this.arrivals = new Thread(this::arrive, "demo-bot-arrivals");
    arrivals.setDaemon(true);
    arrivals.start();
  }

  /**
   * The active probe: on the fake upstream a one-token generation of gpt-4o-mini every 10 s (the
   * floor), so its panel and LlmUpstreamProbeFailing have data; on a real upstream {@code GET
   * /models} every minute, which costs nothing.
   */
  private LlmProbe buildProbe() {
    if (upstream == null) {
      return LlmProbe.builder(client, options.baseUrl.replaceAll("/+$", "")).registry(registry).models()
          .header("Authorization", "Bearer " + options.apiKey)
          .interval(Duration.ofMinutes(1)).build();
    }
    return LlmProbe.builder(client, "http://api.openai.com:" + upstream.port() + "/v1")
        .registry(registry).generation("gpt-4o-mini")
        .interval(LlmProbe.MIN_INTERVAL).timeout(Duration.ofSeconds(10)).build();
  }

  /**
   * Sends calls for the fake upstream's hosts to its current port: the live one, or during the
   * outage one where nothing listens (the probe's URL was fixed when it was built).
   */
  private Response toFakeUpstream(Interceptor.Chain chain) throws IOException {
    Request request = chain.request();
    HttpUrl url = request.url();
    int port = upstream.port();
    if (url.port() != port && (url.host().equals("api.openai.com")
        || url.host().equals("api.anthropic.com"))) {
      request = request.newBuilder().url(url.newBuilder().port(port).build()).build();
    }
    return chain.proceed(request);
  }

  /** Starts the bot, its upstream and its {@code /metrics} endpoint. */
  public static DemoBot start(Options options) throws IOException {
    return new DemoBot(options);
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    DemoBot bot = start(options);
    Runtime.getRuntime().addShutdownHook(new Thread(bot::close));
    System.out.println(bot.banner());
    if (options.stdin) bot.readCommands();
    Thread.currentThread().join(); // until Ctrl-C
  }

  public int metricsPort() {
    return metricsServer.getPort();
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public String phase() {
    return upstream == null ? "real upstream " + options.baseUrl : upstream.phase();
  }

  /** Switches the fake upstream's scenario; not possible against a real upstream. */
  public void setScenario(Scenario scenario) {
    if (upstream == null) throw new IllegalStateException("scenarios need the fake upstream");
    upstream.setScenario(scenario);
    log("scenario -> " + scenario.label());
  }

  /** Calls started since the start, and how they ended so far ({@code ok}, {@code 429}…). */
  public String status() {
    StringBuilder sb = new StringBuilder();
    sb.append("phase=").append(phase()).append(" calls=").append(sent.get())
        .append(" running=").append(client.dispatcher().runningCallsCount())
        .append(" queued=").append(client.dispatcher().queuedCallsCount());
    new java.util.TreeMap<>(outcomes).forEach((k, v) -> sb.append(' ').append(k).append('=')
        .append(v.get()));
    return sb.toString();
  }

  String banner() {
    String target = upstream == null ? options.baseUrl + " (model " + options.model + ")"
        : "embedded fake upstream, scenario " + options.scenario.label();
    String base = "http://" + options.bind + ":" + metricsPort();
    StringBuilder scenarios = new StringBuilder();
    for (Scenario s : Scenario.values()) {
      scenarios.append(scenarios.length() == 0 ? "" : " | ").append(s.label());
    }
    return String.join("\n",
        "LLM Pulse demo bot: " + options.rate + " customers/s against " + target,
        "  metrics:  " + base + "/metrics",
        "  commands (type one + Enter):",
        upstream == null ? "    (scenarios need the embedded fake upstream)"
            : "    " + scenarios + "\n             switch the scenario (or curl -X POST " + base
                + "/scenario/incident)",
        "    status   calls so far and how they ended",
        "    quit     stop the demo (Ctrl-C too)");
  }

  @Override
  public void close() {
    if (!running) return;
    running = false;
    probe.close();
    arrivals.interrupt();
    metricsServer.close();
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdownNow();
    client.connectionPool().evictAll();
    if (upstream != null) upstream.close();
  }

  private void readCommands() {
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line; running && (line = in.readLine()) != null; ) {
          command(line.trim());
        }
      } catch (IOException ignored) {
        // stdin closed: keep running, scenarios can still be switched over HTTP
      }
    }, "demo-bot-stdin");
    reader.setDaemon(true);
    reader.start();
  }

  private void command(String line) {
    if (line.isEmpty()) return;
    if (line.equals("status")) {
      System.out.println(status());
      return;
    }
    if (line.equals("quit") || line.equals("exit")) {
      System.exit(0);
    }
    try {
      setScenario(Scenario.parse(line));
    } catch (RuntimeException e) {
      System.out.println(e.getMessage());
    }
  }

  /** {@code POST /scenario/{name}}, {@code GET /scenario}, {@code GET /} (help). */
  private void admin(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      int code = 200;
      String text;
      if (path.startsWith("/scenario/") && "POST".equals(exchange.getRequestMethod())) {
        try {
          setScenario(Scenario.parse(path.substring("/scenario/".length())));
          text = status();
        } catch (RuntimeException e) {
          code = 400;
          text = e.getMessage();
        }
      } else if (path.equals("/scenario") || path.equals("/status")) {
        text = status();
      } else if (path.equals("/")) {
        text = banner();
      } else {
        code = 404;
        text = "not found; try /metrics, /status or POST /scenario/{normal|incident|ghost|outage}";
      }
      byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private void arrive() {
    long lastStatus = System.nanoTime();
    while (running) {
      try {
        double gap = -Math.log(1 - ThreadLocalRandom.current().nextDouble()) / options.rate;
        Thread.sleep((long) (gap * 1000));
      } catch (InterruptedException e) {
        return;
      }
      try {
        send(nextRequest());
      } catch (RuntimeException e) {
        count("bot_error");
      }
      if (!options.quiet && System.nanoTime() - lastStatus > 10_000_000_000L) {
        lastStatus = System.nanoTime();
        System.out.println(status());
      }
    }
  }

  private Request nextRequest() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String[] flowAndQuestion = QUESTIONS[r.nextInt(QUESTIONS.length)];
    String question = flowAndQuestion[1];
    // enqueue() runs the interceptor on OkHttp's dispatcher thread: a request tag, not a scope.
    Attribution.Tags tags = Attribution.tags("feature", flowAndQuestion[0],
        "tenant", TENANTS[r.nextInt(10) < 6 ? 0 : r.nextInt(TENANTS.length)]);
    return nextRequest(r, question).newBuilder().tag(Attribution.Tags.class, tags).build();
  }

  private Request nextRequest(ThreadLocalRandom r, String question) {
    if (upstream == null) return openAi(options.baseUrl.replaceAll("/+$", ""), question,
        r.nextBoolean(), options.model);
    String base = "http://%s:" + upstream.port();
    double pick = r.nextDouble();
    if (pick < 0.55) return openAi(String.format(base, "api.openai.com") + "/v1", question, false,
        "gpt-4o-mini");
    if (pick < 0.85) return openAi(String.format(base, "api.openai.com") + "/v1", question, true,
        "gpt-4o-mini");
    return anthropic(String.format(base, "api.anthropic.com"), question, pick >= 0.95);
  }

  private Request openAi(String base, String question, boolean stream, String model) {
    String body = "{\"model\":\"" + model + "\",\"max_tokens\":120,"
        + (stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "")
        + "\"messages\":[{\"role\":\"system\",\"content\":" + quote(SYSTEM_PROMPT) + "},"
        + "{\"role\":\"user\",\"content\":" + quote(question) + "}]}";
    Request.Builder request = new Request.Builder().url(base + "/chat/completions")
        .post(RequestBody.create(body, JSON));
    String key = upstream == null ? options.apiKey : "sk-demo";
    return request.header("Authorization", "Bearer " + key).build();
  }

  private Request anthropic(String base, String question, boolean stream) {
    String body = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":200,"
        + (stream ? "\"stream\":true," : "")
        + "\"system\":[{\"type\":\"text\",\"text\":" + quote(SYSTEM_PROMPT)
        + ",\"cache_control\":{\"type\":\"ephemeral\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":" + quote(question) + "}]}";
    return new Request.Builder().url(base + "/v1/messages")
        .header("x-api-key", "sk-ant-demo")
        .header("anthropic-version", "2023-06-01")
        .post(RequestBody.create(body, JSON))
        .build();
  }

  private void send(Request request) {
    sent.incrementAndGet();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (ResponseBody body = response.body()) {
          body.source().readAll(okio.Okio.blackhole()); // the bot reads the whole answer
          count(response.isSuccessful() ? "ok" : Integer.toString(response.code()));
        } catch (IOException e) {
          count("read_failed");
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        String kind = e.getClass().getSimpleName();
        count(kind.isEmpty() ? "failed" : kind.toLowerCase(Locale.ROOT));
      }
    });
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
  }

  private void log(String message) {
    if (!options.quiet) System.out.println(message);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}

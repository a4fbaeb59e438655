package dev.llmpulse.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An embedded stand-in for api.openai.com and api.anthropic.com on 127.0.0.1: it replays the
 * recorded responses of {@code fixtures/} (templates under {@code upstream/} in the resources)
 * with fresh ids, token counts and rate-limit headers, and misbehaves as the {@link Scenario}
 * says. Serves {@code POST /v1/chat/completions} (OpenAI Chat Completions, streaming with
 * {@code include_usage} or not) and {@code POST /v1/messages} (Anthropic Messages).
 *
 * <p>Set the system property {@code sun.net.httpserver.nodelay=true} before starting it: without
 * it, loopback answers wait ~40 ms for Nagle's algorithm.
 */
public final class FakeUpstream implements Closeable {
  /** OpenAI-style request window; Anthropic's is smaller, as on a low tier. */
  static final int OPENAI_RPM = 5_000;
  static final int OPENAI_TPM = 2_000_000;
  static final int ANTHROPIC_RPM = 4_000;
  static final int ANTHROPIC_ITPM = 400_000;
  static final int ANTHROPIC_OTPM = 80_000;

  private static final String[] ANSWERS = {
      "Your order #48213 left our warehouse this morning and should arrive on Thursday.",
      "I'm sorry about the delay. I've issued a 10% voucher to your account for the trouble.",
      "You can return unworn items within 30 days; I've emailed you a prepaid return label.",
      "The sale price applies at checkout automatically, no code needed.",
      "I've updated the delivery address on your order to the one you gave me.",
      "That model is back in stock in sizes 38 to 44. Shall I reserve one for you?",
  };

  private final HttpServer server;
  private final ExecutorService executor;
  private final int deadPort;
  private final double slowPhaseSeconds;
  private final long retryAfterSeconds;
  private final Templates templates = new Templates();
  private final Window openAiWindow = new Window();
  private final Window anthropicWindow = new Window();
  private volatile Scenario scenario;
  private volatile long scenarioSinceNanos;
  private volatile Fault fault = Fault.NONE;
  private final AtomicLong nextAnswerMillis = new AtomicLong(-1);
  private volatile boolean closed;

  /**
   * @param scenario the scenario to start with
   * @param slowPhaseSeconds in {@link Scenario#INCIDENT}: how long answers take 15 s before the
   *     429s start
   * @param retryAfterSeconds the {@code Retry-After} of the 429s
   */
  public FakeUpstream(Scenario scenario, double slowPhaseSeconds, long retryAfterSeconds)
      throws IOException {
    this.slowPhaseSeconds = slowPhaseSeconds;
    this.retryAfterSeconds = retryAfterSeconds;
    this.deadPort = unusedPort();
    setScenario(scenario);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-upstream");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The port to call: the live one, or during an outage one where nothing listens. */
  public int port() {
    return scenario == Scenario.OUTAGE ? deadPort : server.getAddress().getPort();
  }

  public Scenario scenario() {
    return scenario;
  }

  public void setScenario(Scenario next) {
    scenarioSinceNanos = System.nanoTime();
    scenario = next;
  }

  /**
   * Misbehaviours for load tests beyond the demo's scenarios; while one is set it overrides the
   * scenario (except {@link Scenario#OUTAGE}, where nothing listens).
   */
  public enum Fault {
    /** The scenario decides. */
    NONE,
    /** Every answer takes 15 s (streams start after 15 s), for as long as it lasts; no 429s. */
    SLOW,
    /** Every call is answered {@code 503 Service Unavailable} at the usual speed. */
    UNAVAILABLE,
    /** The upstream accepts every request and never answers: only client timeouts end calls. */
    HANG
  }

  public void setFault(Fault fault) {
    this.fault = Objects.requireNonNull(fault, "fault");
  }

  /**
   * Makes the next request (only that one) take {@code seconds} before its answer, whatever
   * the scenario: one long answer among normal ones.
   */
  public void delayNextAnswer(double seconds) {
    nextAnswerMillis.set((long) (seconds * 1000));
  }

  /** The scenario and, for the incident, its phase: {@code incident/slow}, {@code incident/429}. */
  public String phase() {
    Scenario s = scenario;
    if (s != Scenario.INCIDENT) return s.label();
    return inSlowPhase() ? "incident/slow" : "incident/429";
  }

  private boolean inSlowPhase() {
    return (System.nanoTime() - scenarioSinceNanos) / 1e9 < slowPhaseSeconds;
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      boolean anthropic = path.endsWith("/v1/messages");
      if (!"POST".equals(exchange.getRequestMethod())
          || !(anthropic || path.endsWith("/v1/chat/completions"))) {
        send(exchange, 404, "application/json", "{\"error\":{\"message\":\"not found\"}}");
        return;
      }
      boolean stream = body.replace(" ", "").contains("\"stream\":true");
      Answer answer = Answer.random(anthropic);
      Scenario s = scenario;
      Fault f = fault;
      if (f == Fault.HANG) {
        hang();
        return;
      }
      boolean slow = f == Fault.SLOW || f == Fault.NONE && s == Scenario.INCIDENT && inSlowPhase();
      boolean limited = f == Fault.NONE && s == Scenario.INCIDENT && !slow;
      Window window = anthropic ? anthropicWindow : openAiWindow;
      window.add(answer.input + answer.cacheRead + answer.cacheCreation, answer.output);
      rateLimitHeaders(exchange, anthropic, window, limited);

      long delayed = nextAnswerMillis.getAndSet(-1);
      double firstByteSeconds = delayed >= 0 ? delayed / 1000.0
          : slow ? 15 + jitter(1.0) : 0.12 + lognormal(0.08);
      sleep(firstByteSeconds);
      if (f == Fault.UNAVAILABLE) {
        send(exchange, 503, "application/json", "{\"error\":{\"message\":\"The server is "
            + "overloaded or not ready yet.\",\"type\":\"server_error\"}}");
        return;
      }
      if (limited) {
        exchange.getResponseHeaders().add("retry-after", Long.toString(retryAfterSeconds));
        String error = templates.get(anthropic ? "anthropic-429.json" : "openai-429.json")
            .replace("${limit}", Integer.toString(anthropic ? ANTHROPIC_RPM : OPENAI_RPM))
            .replace("${retry_after}", Long.toString(retryAfterSeconds));
        send(exchange, 429, "application/json", error);
        return;
      }
      boolean ghost = f == Fault.NONE && s == Scenario.GHOST && ThreadLocalRandom.current().nextDouble() < 0.6;
      if (stream) {
        stream(exchange, anthropic, answer, ghost);
      } else {
        whole(exchange, anthropic, answer, ghost);
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (canceled, timed out): nothing to answer.
    }
  }

  private void whole(HttpExchange exchange, boolean anthropic, Answer answer, boolean ghost)
      throws IOException {
    String json = answer.fill(templates.get(anthropic ? "anthropic-messages.json"
        : "openai-chat.json"), null);
    if (ghost) {
      if (!anthropic && ThreadLocalRandom.current().nextBoolean()) {
        // A well-formed answer without any choice: "200 OK" but nothing to show the customer.
        json = json.replaceAll("(?s)\"choices\": \\[.*?\\n  \\],", "\"choices\": [],");
      } else {
        json = json.substring(0, json.length() * (35 + ThreadLocalRandom.current().nextInt(40))
            / 100); // truncated JSON behind a 200
      }
    }
    send(exchange, 200, "application/json", json);
  }

  private void stream(HttpExchange exchange, boolean anthropic, Answer answer, boolean ghost)
      throws IOException {
    String template = templates.get(anthropic ? "anthropic-messages-stream.sse"
        : "openai-chat-stream.sse");
    List<String> events = new ArrayList<>();
    for (String event : template.split("\n\n")) {
      if (event.isBlank()) continue;
      if (event.contains("${delta}")) {
        for (String piece : answer.pieces()) events.add(answer.fill(event, piece));
      } else {
        events.add(answer.fill(event, null));
      }
    }
    int cut = ghost ? 2 + ThreadLocalRandom.current().nextInt(Math.max(1, events.size() - 4))
        : events.size();
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().add("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    for (int i = 0; i < cut; i++) {
      if (i > 0) sleep(0.02 + ThreadLocalRandom.current().nextDouble(0.04));
      out.write((events.get(i) + "\n\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
    out.close(); // a ghost stream ends cleanly here: no usage, no [DONE] / message_stop
  }

  private void rateLimitHeaders(HttpExchange exchange, boolean anthropic, Window window,
      boolean exhausted) {
    Window.Usage used = window.usage();
    long resetMillis = exhausted ? retryAfterSeconds * 1000 : used.millisToReset;
    var headers = exchange.getResponseHeaders();
    if (anthropic) {
      String reset = Instant.now().plusMillis(resetMillis).truncatedTo(ChronoUnit.SECONDS).toString();
      long requests = exhausted ? 0 : Math.max(0, ANTHROPIC_RPM - used.requests);
      long input = Math.max(0, ANTHROPIC_ITPM - used.inputTokens);
      long output = Math.max(0, ANTHROPIC_OTPM - used.outputTokens);
      put(headers, "anthropic-ratelimit-requests-limit", ANTHROPIC_RPM);
      put(headers, "anthropic-ratelimit-requests-remaining", requests);
      headers.add("anthropic-ratelimit-requests-reset", reset);
      put(headers, "anthropic-ratelimit-input-tokens-limit", ANTHROPIC_ITPM);
      put(headers, "anthropic-ratelimit-input-tokens-remaining", input);
      headers.add("anthropic-ratelimit-input-tokens-reset", reset);
      put(headers, "anthropic-ratelimit-output-tokens-limit", ANTHROPIC_OTPM);
      put(headers, "anthropic-ratelimit-output-tokens-remaining", output);
      headers.add("anthropic-ratelimit-output-tokens-reset", reset);
      put(headers, "anthropic-ratelimit-tokens-limit", ANTHROPIC_ITPM + ANTHROPIC_OTPM);
      put(headers, "anthropic-ratelimit-tokens-remaining", input + output);
      headers.add("anthropic-ratelimit-tokens-reset", reset);
      headers.add("request-id", "req_" + Answer.id());
    } else {
      long requests = exhausted ? 0 : Math.max(0, OPENAI_RPM - used.requests);
      put(headers, "x-ratelimit-limit-requests", OPENAI_RPM);
      put(headers, "x-ratelimit-remaining-requests", requests);
      headers.add("x-ratelimit-reset-requests", openAiDuration(resetMillis));
      put(headers, "x-ratelimit-limit-tokens", OPENAI_TPM);
      put(headers, "x-ratelimit-remaining-tokens",
          Math.max(0, OPENAI_TPM - used.inputTokens - used.outputTokens));
      headers.add("x-ratelimit-reset-tokens", openAiDuration(Math.min(resetMillis, 900)));
      headers.add("openai-processing-ms", "187");
      headers.add("x-request-id", "req_" + Answer.id());
    }
  }

  private static void put(com.sun.net.httpserver.Headers headers, String name, long value) {
    headers.add(name, Long.toString(value));
  }

  /** OpenAI's duration format: {@code 6ms}, {@code 8.64s}, {@code 1m3.57s}. */
  static String openAiDuration(long millis) {
    if (millis < 1000) return millis + "ms";
    long minutes = millis / 60_000;
    double seconds = (millis % 60_000) / 1000.0;
    String s = String.format(Locale.ROOT, "%.2fs", seconds).replace(".00s", "s");
    return minutes > 0 ? minutes + "m" + s : s;
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Holds the request open without a byte of answer until the client gives up or we close. */
  private void hang() {
    long until = System.nanoTime() + 600_000_000_000L;
    while (!closed && System.nanoTime() < until && !Thread.currentThread().isInterrupted()) {
      sleep(0.5);
    }
  }

  private static double lognormal(double median) {
    return median * Math.exp(0.35 * ThreadLocalRandom.current().nextGaussian());
  }

  private static double jitter(double plusMinus) {
    return (ThreadLocalRandom.current().nextDouble() * 2 - 1) * plusMinus;
  }

  private static void sleep(double seconds) {
    try {
      Thread.sleep(Math.max(0, (long) (seconds * 1000)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** One answer's text and usage. */
  private static final class Answer {
    final String text;
    final int input;
    final int output;
    final int cacheRead;
    final int cacheCreation;

    private Answer(String text, int input, int output, int cacheRead, int cacheCreation) {
      this.text = text;
      this.input = input;
      this.output = output;
      this.cacheRead = cacheRead;
      this.cacheCreation = cacheCreation;
    }

    static Answer random(boolean anthropic) {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      String text = ANSWERS[r.nextInt(ANSWERS.length)];
      if (anthropic) { // the system prompt is cached: 1200 tokens read from the cache
        boolean miss = r.nextInt(50) == 0;
        return new Answer(text, 150 + r.nextInt(200), 60 + r.nextInt(120), miss ? 0 : 1200,
            miss ? 1200 : 0);
      }
      return new Answer(text, 200 + r.nextInt(250), 50 + r.nextInt(110), 0, 0);
    }

    static String id() {
      return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    List<String> pieces() {
      List<String> pieces = new ArrayList<>();
      String[] words = text.split("(?<= )");
      StringBuilder piece = new StringBuilder();
      for (String word : words) {
        piece.append(word);
        if (piece.length() > 8) {
          pieces.add(piece.toString());
          piece.setLength(0);
        }
      }
      if (piece.length() > 0) pieces.add(piece.toString());
      return pieces;
    }

    /** OpenAI counts cached tokens inside prompt_tokens; Anthropic's input_tokens excludes them. */
    String fill(String template, String delta) {
      String filled = template
          .replace("${id}", id())
          .replace("${created}", Long.toString(System.currentTimeMillis() / 1000))
          .replace("${content}", quote(text))
          .replace("${input}", Integer.toString(input))
          .replace("${output}", Integer.toString(output))
          .replace("${total}", Integer.toString(input + output))
          .replace("${cache_read}", Integer.toString(cacheRead))
          .replace("${cache_creation}", Integer.toString(cacheCreation));
      return delta == null ? filled : filled.replace("${delta}", quote(delta));
    }

    private static String quote(String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
  }

  /** A fixed one-minute window of requests and tokens, like a provider's per-minute limits. */
  private static final class Window {
    private long startMillis = System.currentTimeMillis();
    private long requests;
    private long inputTokens;
    private long outputTokens;

    synchronized void add(long input, long output) {
      roll();
      requests++;
      inputTokens += input;
      outputTokens += output;
    }

    synchronized Usage usage() {
      roll();
      return new Usage(requests, inputTokens, outputTokens,
          Math.max(1, startMillis + 60_000 - System.currentTimeMillis()));
    }

    private void roll() {
      long now = System.currentTimeMillis();
      if (now - startMillis >= 60_000) {
        startMillis = now;
        requests = 0;
        inputTokens = 0;
        outputTokens = 0;
      }
    }

    static final class Usage {
      final long requests;
      final long inputTokens;
      final long outputTokens;
      final long millisToReset;

      Usage(long requests, long inputTokens, long outputTokens, long millisToReset) {
        this.requests = requests;
        this.inputTokens = inputTokens;
        this.outputTokens = outputTokens;
        this.millisToReset = millisToReset;
      }
    }
  }

  /** The response templates under {@code upstream/}, read once. */
  private static final class Templates {
    private final Map<String, String> cache = new java.util.concurrent.ConcurrentHashMap<>();

    String get(String name) {
      return cache.computeIfAbsent(name, n -> {
        try (InputStream in = FakeUpstream.class.getResourceAsStream("upstream/" + n)) {
          if (in == null) throw new IllegalStateException("missing resource upstream/" + n);
          return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}

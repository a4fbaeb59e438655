package dev.llmpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo, the shipped rules and a real Prometheus, in real time: scrape and evaluation every
 * 15 s and the rules exactly as shipped (only the scrape target differs). Two demo bots run side
 * by side, each scraped by its own Prometheus:
 *
 * <ul>
 *   <li>"quiet": 3 minutes of normal traffic; no alert may fire or even be pending.
 *   <li>"story": 40 s normal, then the incident (answers take 15 s; after 60 s, 429s), then
 *       ghost answers, then an outage. LlmLatencyP95High must fire within 60 s of the latency
 *       jump and LlmUpstreamDown within 45 s of the outage; every dashboard panel's query must
 *       return data at the end.
 * </ul>
 *
 * No time scaling: the detection times printed are those of the shipped configuration. About
 * 3.5 minutes. With CI=true a missing prometheus binary fails the test; otherwise it is skipped.
 */
class PrometheusEndToEndTest {
  /** Metrics of issue 6 that the demo may not export (yet): panels on them may be empty. */
  private static final List<String> OPTIONAL_METRICS = List.of("gen_ai_client_upstream_state",
      "gen_ai_client_oldest_in_flight_seconds", "gen_ai_client_dispatcher_queued_calls");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration NORMAL_RUN = Duration.ofMinutes(3);

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final long t0 = System.nanoTime();

  @AfterEach
  void tearDown() {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      try {
        cleanup.get(i).close();
      } catch (Exception e) {
        System.err.println("cleanup: " + e);
      }
    }
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void alertsFireOnTimeAndNotInNormalTraffic() throws Exception {
    Path prometheusBinary = Tools.require("prometheus");
    System.setProperty("sun.net.httpserver.nodelay", "true");

    DemoBot quietBot = bot();
    DemoBot storyBot = bot();
    String quiet = startPrometheus(prometheusBinary, "quiet", quietBot.metricsPort());
    String story = startPrometheus(prometheusBinary, "story", storyBot.metricsPort());

    ExecutorService executor = Executors.newSingleThreadExecutor();
    cleanup.add(executor::shutdownNow);
    Future<Set<String>> quietAlerts = executor.submit(() -> watchQuiet(quiet));

    // --- the story: normal, incident (15 s answers, then 429), ghost, outage
    sleepSeconds(40);
    assertThat(activeAlerts(story)).as("alerts after 40 s of normal traffic").isEmpty();

    storyBot.setScenario(Scenario.INCIDENT);
    long jump = System.nanoTime();
    log("story: latency jump 0.2 s -> 15 s");
    double latencyDetection = waitForFiring(story, "LlmLatencyP95High", jump, 90);
    log(String.format("DETECTION LlmLatencyP95High: %.1f s after the latency jump", latencyDetection));

    // let the 429 phase start (60 s after the jump), then ghosts, then the outage
    sleepUntil(jump, 75);
    assertThat(storyBot.phase()).isEqualTo("incident/429");
    storyBot.setScenario(Scenario.GHOST);
    log("story: ghost answers");
    sleepSeconds(25);
    assertThat(firingNames(story)).as("down before the outage").doesNotContain("LlmUpstreamDown");
    storyBot.setScenario(Scenario.OUTAGE);
    long outage = System.nanoTime();
    log("story: outage (connection refused)");
    double downDetection = waitForFiring(story, "LlmUpstreamDown", outage, 75);
    log(String.format("DETECTION LlmUpstreamDown: %.1f s after the outage started", downDetection));
    storyBot.setScenario(Scenario.NORMAL);
    long recovered = System.nanoTime();
    // Fresh rate-limit headers need a scrape and an evaluation after the outage: poll.
    List<String> emptyPanels = checkDashboard(story, false);
    while (!emptyPanels.isEmpty() && (System.nanoTime() - recovered) / 1e9 < 45) {
      sleepSeconds(3);
      emptyPanels = checkDashboard(story, false);
    }
    emptyPanels = checkDashboard(story, true);

    Set<String> quietSeen = quietAlerts.get(4, TimeUnit.MINUTES);
    log("story: alerts that fired: " + firedEver(story));
    log("quiet: " + quietBot.status());
    log("story: " + storyBot.status());

    assertThat(latencyDetection).as("LlmLatencyP95High detection (s)").isLessThanOrEqualTo(60);
    assertThat(downDetection).as("LlmUpstreamDown detection (s)").isLessThanOrEqualTo(45);
    assertThat(quietSeen).as("alerts pending or firing during %s of normal traffic", NORMAL_RUN)
        .isEmpty();
    assertThat(emptyPanels).as("dashboard queries without data").isEmpty();
  }

  private DemoBot bot() throws IOException {
    DemoBot.Options options = DemoBot.Options.parse("--port=0", "--bind=127.0.0.1",
        "--incident-slow-seconds=60", "--retry-after-seconds=20", "--stdin=false",
        "--quiet=true");
    options.baseUrl = null; // always the fake upstream, whatever the environment says
    DemoBot bot = DemoBot.start(options);
    cleanup.add(bot);
    return bot;
  }

  /** Polls the quiet Prometheus for 3 minutes; returns every alert seen pending or firing. */
  private Set<String> watchQuiet(String prometheus) throws Exception {
    Set<String> seen = new TreeSet<>();
    long start = System.nanoTime();
    while (System.nanoTime() - start < NORMAL_RUN.toNanos()) {
      for (JsonNode alert : alerts(prometheus)) {
        seen.add(alert.path("labels").path("alertname").asText() + " ("
            + alert.path("state").asText() + ")");
      }
      Thread.sleep(3000);
    }
    log("quiet: " + NORMAL_RUN.toSeconds() + " s of normal traffic, alerts seen: " + seen);
    return seen;
  }

  /** Seconds from {@code since} until the alert is firing, polled every second. */
  private double waitForFiring(String prometheus, String alertname, long since, int maxSeconds)
      throws Exception {
    while ((System.nanoTime() - since) / 1e9 < maxSeconds) {
      if (firingNames(prometheus).contains(alertname)) return (System.nanoTime() - since) / 1e9;
      Thread.sleep(1000);
    }
    return Double.POSITIVE_INFINITY;
  }

  private List<String> checkDashboard(String prometheus, boolean report) throws Exception {
    Set<String> known = new TreeSet<>();
    for (JsonNode name : get(prometheus, "/api/v1/label/__name__/values").path("data")) {
      known.add(name.asText());
    }
    JsonNode dashboard = JSON.readTree(
        Tools.examplesDir().resolve("grafana/llm-pulse-dashboard.json").toFile());
    List<String> empty = new ArrayList<>();
    int checked = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        JsonNode result = get(prometheus, "/api/v1/query?query="
            + URLEncoder.encode(expr, StandardCharsets.UTF_8)).path("data").path("result");
        checked++;
        if (result.size() > 0) continue;
        String missing = OPTIONAL_METRICS.stream()
            .filter(m -> expr.contains(m) && !known.contains(m)).findFirst().orElse(null);
        if (missing != null) {
          if (report) log("panel '" + panel.path("title").asText() + "': no data, " + missing
              + " is not exported by this build (issue 6)");
        } else {
          empty.add(panel.path("title").asText() + ": " + expr);
        }
      }
    }
    if (report) log("dashboard: " + checked + " queries checked, " + empty.size() + " without data");
    return empty;
  }

  private String startPrometheus(Path binary, String name, int targetPort) throws Exception {
    Path dir = Files.createTempDirectory("llmpulse-prometheus-" + name);
    cleanup.add(() -> deleteRecursively(dir));
    Path shipped = Tools.examplesDir().resolve("prometheus");
    String config = Files.readString(shipped.resolve("prometheus.yml"))
        .replace("llm-pulse-rules.yml", shipped.resolve("llm-pulse-rules.yml").toString())
        .replace("localhost:9464", "127.0.0.1:" + targetPort);
    assertThat(config).contains("scrape_interval: 15s").contains("evaluation_interval: 15s");
    Path configFile = dir.resolve("prometheus.yml");
    Files.writeString(configFile, config);
    int port = freePort();
    Process process = new ProcessBuilder(binary.toString(),
        "--config.file=" + configFile, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    cleanup.add(() -> {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    });
    String base = "http://127.0.0.1:" + port;
    for (int i = 0; i < 100; i++) {
      try {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          log(name + ": prometheus on " + base + " scraping 127.0.0.1:" + targetPort);
          return base;
        }
      } catch (IOException notYet) {
        // starting
      }
      if (!process.isAlive()) break;
      Thread.sleep(200);
    }
    throw new AssertionError("prometheus did not start: "
        + Files.readString(dir.resolve("prometheus.log")));
  }

  private List<JsonNode> alerts(String prometheus) throws Exception {
    List<JsonNode> list = new ArrayList<>();
    get(prometheus, "/api/v1/alerts").path("data").path("alerts").forEach(list::add);
    return list;
  }

  private Set<String> activeAlerts(String prometheus) throws Exception {
    Set<String> names = new TreeSet<>();
    for (JsonNode alert : alerts(prometheus)) {
      names.add(alert.path("labels").path("alertname").asText());
    }
    return names;
  }

  private Set<String> firingNames(String prometheus) throws Exception {
    Set<String> names = new TreeSet<>();
    for (JsonNode alert : alerts(prometheus)) {
      if ("firing".equals(alert.path("state").asText())) {
        names.add(alert.path("labels").path("alertname").asText());
      }
    }
    return names;
  }

  private Set<String> firedEver(String prometheus) throws Exception {
    Set<String> names = new TreeSet<>();
    String query = "max_over_time(ALERTS{alertstate=\"firing\"}[10m])";
    for (JsonNode series : get(prometheus, "/api/v1/query?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8)).path("data").path("result")) {
      names.add(series.path("metric").path("alertname").asText());
    }
    return names;
  }

  private JsonNode get(String base, String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private void log(String message) {
    System.out.printf("[e2e %6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, message);
  }

  private static void sleepSeconds(double seconds) throws InterruptedException {
    Thread.sleep((long) (seconds * 1000));
  }

  private static void sleepUntil(long since, double seconds) throws InterruptedException {
    long remaining = since + (long) (seconds * 1e9) - System.nanoTime();
    if (remaining > 0) Thread.sleep(remaining / 1_000_000);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}

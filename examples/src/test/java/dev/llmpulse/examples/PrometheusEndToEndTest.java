package dev.llmpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shipped rules on a real Prometheus, in real time: scrape and evaluation every 15 s and the
 * rules exactly as shipped (only the scrape targets differ). Every traffic shape runs at the same
 * time against ONE central Prometheus, each with its own fake upstream and its own
 * {@code server_address}, so each pages on its own:
 *
 * <ul>
 *   <li>a latency jump 0.2 s -> 15 s under open arrivals (3/s) and closed worker pools of 1, 8
 *       and 64 threads: a page within 45 s; an outage (every call 503): LlmUpstreamDown within
 *       35 s; a hang (no answer, 30 s read timeout): a page within 45 s;
 *   <li>a fleet of three replicas scraped by the central Prometheus, one of which hangs: one
 *       LlmCallsStalled for the upstream (not per replica) within 45 s;
 *   <li>two replicas scraped by a Prometheus in agent mode that remote-writes to the central
 *       one, which evaluates the rules: one of them slows down, LlmCallsStalled pages;
 *   <li>normal traffic with bursts and one 60 s answer, under open arrivals and in a closed
 *       pool of 8: no alert for them, not even pending (ten minutes of it are in promtool's
 *       tests, over synthesized series);
 *   <li>the demo's story (incident, 429s, ghost answers, connection refused) with the demo bot,
 *       and at the end every Grafana panel's query must return data.
 * </ul>
 *
 * <p>No time scaling: the detection times printed ({@code DETECTION …}) are those of the shipped
 * configuration; they depend on where the change falls between scrapes and evaluations, so each
 * goal was measured over several runs (examples/README.md). About 3.5 minutes.
 * With CI=true a missing prometheus binary fails the test; otherwise it is skipped.
 */
class PrometheusEndToEndTest {
  /** Metrics of issue 6 that the demo may not export (yet): panels on them may be empty. */
  private static final List<String> OPTIONAL_METRICS = List.of("gen_ai_client_upstream_state",
      "gen_ai_client_oldest_in_flight_seconds", "gen_ai_client_dispatcher_queued_calls");
  private static final Set<String> STORY_ADDRESSES = Set.of("api.openai.com", "api.anthropic.com");
  private static final String PAGE = "any page";
  /** s after Prometheus started: >= 3 scrapes of normal traffic before the first change. */
  private static final double JUMP_AT = 50;
  /** The clients' read timeout (the hang's calls end by it); the quiet ones wait for 60 s. */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PATIENT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final long t0 = System.nanoTime();
  /** "address|alertname" -> nanoTime it was first seen firing; and every address|name|state. */
  private final Map<String, Long> firstFiring = new ConcurrentHashMap<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  /** One traffic shape that goes wrong at {@link #JUMP_AT}, and what must page how soon. */
  private record Incident(String shape, String address, String alert, double goalSeconds,
      List<FakeUpstream> upstreams, FakeUpstream.Fault fault, List<LoadReplica> replicas) {
    boolean paged(Map<String, Long> first) {
      return detection(first) != null;
    }

    /** nanoTime of the first firing alert this incident asks for (any page: the earliest). */
    Long detection(Map<String, Long> first) {
      Long best = null;
      for (Map.Entry<String, Long> e : first.entrySet()) {
        String[] key = e.getKey().split("\\|");
        if (!key[0].equals(address)) continue;
        if (!alert.equals(PAGE) && !key[1].equals(alert)) continue;
        if (alert.equals(PAGE) && !PAGING.contains(key[1])) continue;
        if (best == null || e.getValue() < best) best = e.getValue();
      }
      return best;
    }

    String firstAlert(Map<String, Long> first) {
      Long at = detection(first);
      for (Map.Entry<String, Long> e : first.entrySet()) {
        if (e.getKey().startsWith(address + "|") && e.getValue().equals(at)) {
          return e.getKey().split("\\|")[1];
        }
      }
      return "-";
    }
  }

  /**
   * The fast paging alerts. The SLO burn-rate alerts page too, but on a Prometheus started
   * minutes ago their 1 h and 6 h windows hold only those minutes and fire as fast as the 5 m
   * ones: their times here say nothing about production, so they are printed, not counted.
   */
  private static final Set<String> PAGING = Set.of("LlmLatencyP95High", "LlmUpstreamDown",
      "LlmUpstreamProbeFailing", "LlmUpstreamStateDown", "LlmCallsStalled", "LlmQueuePileUp");

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
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void everyTrafficShapePagesInTimeAndNormalTrafficNever() throws Exception {
    Path prometheusBinary = Tools.require("prometheus");
    System.setProperty("sun.net.httpserver.nodelay", "true");

    // --- the shapes that go wrong, each on its own upstream and address
    List<Incident> incidents = new ArrayList<>();
    incidents.add(single("open arrivals 3/s, 0.2 s -> 15 s", "open.llm.test", PAGE, 45,
        FakeUpstream.Fault.SLOW, up -> LoadReplica.open("open.llm.test", up, 3, READ_TIMEOUT)));
    for (int workers : new int[] {1, 8, 64}) {
      String host = "closed-" + workers + ".llm.test";
      incidents.add(single("closed pool of " + workers + ", 0.2 s -> 15 s", host, PAGE, 45,
          FakeUpstream.Fault.SLOW, up -> LoadReplica.closed(host, up, workers, READ_TIMEOUT)));
    }
    incidents.add(single("outage: every call 503 (open 3/s)", "outage.llm.test",
        "LlmUpstreamDown", 35, FakeUpstream.Fault.UNAVAILABLE,
        up -> LoadReplica.open("outage.llm.test", up, 3, READ_TIMEOUT)));
    incidents.add(single("hang: no answer, 30 s read timeout (open 3/s)", "hang.llm.test", PAGE,
        45, FakeUpstream.Fault.HANG, up -> LoadReplica.open("hang.llm.test", up, 3, READ_TIMEOUT)));
    Incident fleet = fleet("fleet of 3 (1/s each), one replica hangs", "fleet.llm.test", 3,
        FakeUpstream.Fault.HANG, 1, "LlmCallsStalled", 45);
    incidents.add(fleet);
    Incident viaAgent = fleet("via agent + remote write: 2 replicas (1.5/s each), one 0.2 -> 15 s",
        "agent.llm.test", 2, FakeUpstream.Fault.SLOW, 0, "LlmCallsStalled", 45);
    incidents.add(viaAgent);

    // --- normal traffic with bursts and one 60 s answer: must never page
    FakeUpstream quietUpstream = upstream();
    LoadReplica quiet = track(LoadReplica.open("quiet.llm.test", quietUpstream, 3, PATIENT));
    FakeUpstream quietPoolUpstream = upstream();
    LoadReplica quietPool = track(LoadReplica.closed("quiet-pool.llm.test", quietPoolUpstream, 8,
        PATIENT));
    List<String> quietAddresses = List.of(quiet.host(), quietPool.host());

    // --- the demo's story
    DemoBot storyBot = bot();

    // --- one central Prometheus (rules, remote-write receiver) and one agent
    Map<String, Integer> centralTargets = new LinkedHashMap<>();
    centralTargets.put("story", storyBot.metricsPort());
    centralTargets.put("quiet", quiet.metricsPort());
    centralTargets.put("quiet-pool", quietPool.metricsPort());
    Map<String, Integer> agentTargets = new LinkedHashMap<>();
    for (Incident incident : incidents) {
      for (int i = 0; i < incident.replicas().size(); i++) {
        (incident == viaAgent ? agentTargets : centralTargets)
            .put(incident.address() + "#" + i, incident.replicas().get(i).metricsPort());
      }
    }
    Path shipped = Tools.examplesDir().resolve("prometheus");
    String centralConfig = Files.readString(shipped.resolve("prometheus.yml"))
        .replace("llm-pulse-rules.yml", shipped.resolve("llm-pulse-rules.yml").toString());
    assertThat(centralConfig).contains("scrape_interval: 15s").contains("evaluation_interval: 15s");
    PrometheusProcess central = track(PrometheusProcess.start(prometheusBinary, "central",
        withTargets(centralConfig, centralTargets), false));
    String agentConfig = Files.readString(shipped.resolve("prometheus-agent.yml"))
        .replace("http://localhost:9090", central.base);
    assertThat(agentConfig).contains("scrape_interval: 15s").contains(central.base);
    PrometheusProcess agent = track(PrometheusProcess.start(prometheusBinary, "agent",
        withTargets(agentConfig, agentTargets), true));
    long start = System.nanoTime();
    log("central prometheus " + central.base + " scrapes " + centralTargets.size()
        + " targets; agent " + agent.base + " scrapes " + agentTargets.size()
        + " and remote-writes to it");

    ScheduledExecutorService timeline = Executors.newScheduledThreadPool(2);
    cleanup.add(timeline::shutdownNow);
    timeline.scheduleWithFixedDelay(() -> watch(central), 0, 500, TimeUnit.MILLISECONDS);
    // Each shape goes wrong at its own phase of the 15 s scrape and evaluation cycle (shape k
    // at JUMP_AT + k * 15 s / n): one run samples n phases instead of one.
    Map<Incident, Long> jumps = new LinkedHashMap<>();
    for (int k = 0; k < incidents.size(); k++) {
      Incident incident = incidents.get(k);
      long jump = start + (long) ((JUMP_AT + k * 15.0 / incidents.size()) * 1e9);
      jumps.put(incident, jump);
      timeline.schedule(() -> {
        for (FakeUpstream up : incident.upstreams()) up.setFault(incident.fault());
        log("incident: " + incident.shape());
      }, jump - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
    long lastJump = start + (long) ((JUMP_AT + 15) * 1e9);
    timeline.schedule(() -> {
      quietUpstream.delayNextAnswer(60);
      quietPoolUpstream.delayNextAnswer(60);
      log("quiet: one 60 s answer on each quiet upstream");
    }, (long) ((JUMP_AT + 5) * 1000), TimeUnit.MILLISECONDS);
    timeline.scheduleAtFixedRate(() -> {
      quiet.burst(30);
      quietPool.burst(30);
    }, 20, 30, TimeUnit.SECONDS);

    // --- the story: normal, incident (15 s answers, then 429), ghost, outage
    sleepUntil(start, 40);
    assertThat(storyAlerts(central)).as("story alerts after 40 s of normal traffic").isEmpty();
    storyBot.setScenario(Scenario.INCIDENT);
    long storyJump = System.nanoTime();
    log("story: latency jump 0.2 s -> 15 s");
    double storyLatency = waitFor("api.openai.com|LlmLatencyP95High", storyJump, 90);
    log(String.format(Locale.ROOT, "DETECTION story LlmLatencyP95High: %.1f s after the latency "
        + "jump (LlmCallsStalled: %s)", storyLatency, since("api.openai.com|LlmCallsStalled",
        storyJump)));
    sleepUntil(storyJump, 75);
    assertThat(storyBot.phase()).isEqualTo("incident/429");
    storyBot.setScenario(Scenario.GHOST);
    log("story: ghost answers");
    sleepSeconds(25);
    assertThat(firstFiring).as("story down before the outage")
        .doesNotContainKey("api.openai.com|LlmUpstreamDown");
    storyBot.setScenario(Scenario.OUTAGE);
    long outage = System.nanoTime();
    log("story: outage (connection refused)");
    double storyDown = waitFor("api.openai.com|LlmUpstreamDown", outage, 75);
    log(String.format(Locale.ROOT, "DETECTION story LlmUpstreamDown: %.1f s after the outage "
        + "started", storyDown));
    storyBot.setScenario(Scenario.NORMAL);
    long recovered = System.nanoTime();
    List<String> emptyPanels = checkDashboard(central, false);
    while (!emptyPanels.isEmpty() && (System.nanoTime() - recovered) / 1e9 < 45) {
      sleepSeconds(3);
      emptyPanels = checkDashboard(central, false);
    }
    emptyPanels = checkDashboard(central, true);

    // --- the incidents (long done by now; wait in case one is still missing)
    while (incidents.stream().anyMatch(i -> !i.paged(firstFiring))
        && (System.nanoTime() - lastJump) / 1e9 < 100) {
      sleepSeconds(1);
    }
    log("alerts that fired: " + new TreeSet<>(firstFiring.keySet()));

    SoftAssertions softly = new SoftAssertions();
    log(String.format(Locale.ROOT, "%-62s %-6s %-22s %s", "traffic shape", "goal", "first page",
        "stalled / p95 / down / old oldest>10s rule (s after the change)"));
    for (Incident incident : incidents) {
      long jump = jumps.get(incident);
      Long at = incident.detection(firstFiring);
      double seconds = at == null ? Double.POSITIVE_INFINITY : (at - jump) / 1e9;
      log(String.format(Locale.ROOT, "DETECTION %-52s %4.0f s  %5.1f s %-15s %s / %s / %s / %s",
          incident.shape(), incident.goalSeconds(), seconds, incident.firstAlert(firstFiring),
          since(incident.address() + "|LlmCallsStalled", jump),
          since(incident.address() + "|LlmLatencyP95High", jump),
          since(incident.address() + "|LlmUpstreamDown", jump),
          oldRule(central, incident.address(), jump)));
      softly.assertThat(seconds).as("%s: %s must fire within %.0f s of the change (fired: %s); "
              + "replicas: %s", incident.shape(), incident.alert(), incident.goalSeconds(),
              firedFor(incident.address()), incident.replicas().stream()
                  .map(LoadReplica::status).toList())
          .isLessThanOrEqualTo(incident.goalSeconds());
    }
    for (Incident grouped : List.of(fleet, viaAgent)) {
      JsonNode series = central.query("max_over_time(ALERTS{alertname=\"LlmCallsStalled\","
          + "alertstate=\"firing\",server_address=\"" + grouped.address() + "\"}[5m])");
      softly.assertThat(series.size()).as("%s: LlmCallsStalled series (one per upstream, "
          + "not per replica): %s", grouped.shape(), series).isEqualTo(1);
      softly.assertThat(series.path(0).path("metric").has("instance"))
          .as("%s: the alert aggregates the instance away", grouped.shape()).isFalse();
    }
    JsonNode ratio = central.query("llm:upstream_errors:ratio_rate30s{server_address=\""
        + fleet.address() + "\"}");
    softly.assertThat(ratio.size()).as("the fleet's error ratio is one series: %s", ratio)
        .isEqualTo(1);
    softly.assertThat(scalar(central, "count(gen_ai_client_requests_stalled_total"
            + "{server_address=\"" + viaAgent.address() + "\"})"))
        .as("the agent's replicas reach the central Prometheus by remote write").isEqualTo(2);

    for (String address : quietAddresses) {
      Set<String> quietSeen = new TreeSet<>();
      for (String s : seen) if (s.startsWith(address + "|")) quietSeen.add(s);
      double longest = scalar(central, "max(max_over_time(gen_ai_client_oldest_in_flight_seconds"
          + "{server_address=\"" + address + "\"}[10m]))");
      double stalled = scalar(central, "max(gen_ai_client_requests_stalled_total"
          + "{server_address=\"" + address + "\"})");
      log(String.format(Locale.ROOT, "QUIET %s: %.0f s of normal traffic with bursts, longest "
              + "call seen in flight %.1f s, stalled calls counted %.0f, alerts seen %s", address,
          (System.nanoTime() - start) / 1e9, longest, stalled, quietSeen));
      softly.assertThat(longest).as("%s: the 60 s answer was in flight", address)
          .isGreaterThan(40);
      softly.assertThat(stalled).as("%s: the 60 s answer was overtaken, not stalled", address)
          .isZero();
      softly.assertThat(quietSeen).as("%s: alerts pending or firing during normal traffic "
          + "with bursts and one 60 s answer", address).isEmpty();
    }
    log("replicas: " + quiet.status() + "; " + quietPool.status());
    for (JsonNode target : central.query("scrape_samples_scraped")) {
      log("SERIES " + target.path("metric").path("target").asText() + ": "
          + target.path("value").get(1).asText() + " series per scrape");
    }
    log("story: " + storyBot.status());
    softly.assertThat(storyLatency).as("story: LlmLatencyP95High detection (s)")
        .isLessThanOrEqualTo(60);
    softly.assertThat(storyDown).as("story: LlmUpstreamDown detection (s)")
        .isLessThanOrEqualTo(45);
    softly.assertThat(emptyPanels).as("dashboard queries without data").isEmpty();
    softly.assertAll();
  }

  // ------------------------------------------------------------------------------- set-up

  private interface ReplicaFactory {
    LoadReplica start(FakeUpstream upstream) throws Exception;
  }

  private Incident single(String shape, String address, String alert, double goal,
      FakeUpstream.Fault fault, ReplicaFactory factory) throws Exception {
    FakeUpstream upstream = upstream();
    return new Incident(shape, address, alert, goal, List.of(upstream), fault,
        List.of(track(factory.start(upstream))));
  }

  /** {@code size} replicas of one bot, each with its own upstream; only replica {@code bad} breaks. */
  private Incident fleet(String shape, String address, int size, FakeUpstream.Fault fault,
      int bad,
      String alert, double goal) throws Exception {
    List<LoadReplica> replicas = new ArrayList<>();
    FakeUpstream broken = null;
    for (int i = 0; i < size; i++) {
      FakeUpstream upstream = upstream();
      if (i == bad) broken = upstream;
      replicas.add(track(LoadReplica.open(address, upstream, size == 3 ? 1 : 1.5,
          READ_TIMEOUT)));
    }
    return new Incident(shape, address, alert, goal, List.of(broken), fault, replicas);
  }

  private FakeUpstream upstream() throws Exception {
    return track(new FakeUpstream(Scenario.NORMAL, 60, 20));
  }

  private DemoBot bot() throws Exception {
    DemoBot.Options options = DemoBot.Options.parse("--port=0", "--bind=127.0.0.1",
        "--incident-slow-seconds=60", "--retry-after-seconds=20", "--stdin=false",
        "--quiet=true");
    options.baseUrl = null; // always the fake upstream, whatever the environment says
    return track(DemoBot.start(options));
  }

  private <T extends AutoCloseable> T track(T closeable) {
    cleanup.add(closeable);
    return closeable;
  }

  /** The shipped config with its one target replaced by {@code targets}, labelled by name. */
  private static String withTargets(String config, Map<String, Integer> targets) {
    StringBuilder list = new StringBuilder("    static_configs:\n");
    targets.forEach((name, port) -> list.append("      - targets: [\"127.0.0.1:").append(port)
        .append("\"]\n        labels: {target: \"").append(name).append("\"}\n"));
    String replaced = config.replace("    static_configs:\n      - targets: [\"localhost:9464\"]\n",
        list.toString());
    assertThat(replaced).as("shipped config's target block").isNotEqualTo(config);
    return replaced;
  }

  // ------------------------------------------------------------------------------- watching

  /** Polled every second: records when each alert was first seen firing, per address. */
  private void watch(PrometheusProcess prometheus) {
    try {
      long now = System.nanoTime();
      for (JsonNode alert : prometheus.alerts()) {
        JsonNode labels = alert.path("labels");
        String address = labels.path("server_address").asText(labels.path("client").asText());
        String name = labels.path("alertname").asText();
        String state = alert.path("state").asText();
        seen.add(address + "|" + name + "|" + state);
        if ("firing".equals(state)) firstFiring.putIfAbsent(address + "|" + name, now);
      }
    } catch (Exception e) {
      System.err.println("watch: " + e);
    }
  }

  private Set<String> storyAlerts(PrometheusProcess prometheus) throws Exception {
    Set<String> names = new TreeSet<>();
    for (JsonNode alert : prometheus.alerts()) {
      JsonNode labels = alert.path("labels");
      if (STORY_ADDRESSES.contains(labels.path("server_address").asText())
          || "demo-bot".equals(labels.path("client").asText())) {
        names.add(labels.path("alertname").asText());
      }
    }
    return names;
  }

  private double waitFor(String key, long since, int maxSeconds) throws InterruptedException {
    while ((System.nanoTime() - since) / 1e9 < maxSeconds) {
      Long at = firstFiring.get(key);
      if (at != null) return Math.max(0, (at - since) / 1e9);
      Thread.sleep(500);
    }
    return Double.POSITIVE_INFINITY;
  }

  private String since(String key, long since) {
    Long at = firstFiring.get(key);
    return at == null ? "-" : String.format(Locale.ROOT, "%.1f", (at - since) / 1e9);
  }

  private Set<String> firedFor(String address) {
    Set<String> names = new TreeSet<>();
    for (String key : firstFiring.keySet()) {
      if (key.startsWith(address + "|")) names.add(key.substring(address.length() + 1));
    }
    return names;
  }

  /**
   * When the previous LlmCallsStalled (oldest call in flight > 10 s on two consecutive
   * evaluations) could have fired at the earliest: the second of two consecutive scrapes after
   * the change with the oldest call older than 10 s, from the raw samples; "never" if none.
   */
  private String oldRule(PrometheusProcess prometheus, String address, long jump)
      throws Exception {
    double jumpUnix = System.currentTimeMillis() / 1000.0 - (System.nanoTime() - jump) / 1e9;
    double first = Double.POSITIVE_INFINITY;
    for (JsonNode series : prometheus.query("gen_ai_client_oldest_in_flight_seconds"
        + "{server_address=\"" + address + "\"}[5m]")) {
      boolean previous = false;
      for (JsonNode sample : series.path("values")) {
        double t = sample.get(0).asDouble();
        boolean above = sample.get(1).asDouble() > 10 && t > jumpUnix;
        if (above && previous) {
          first = Math.min(first, t - jumpUnix);
          break;
        }
        previous = above;
      }
    }
    return first == Double.POSITIVE_INFINITY ? "never"
        : String.format(Locale.ROOT, ">=%.1f", first);
  }

  private static double scalar(PrometheusProcess prometheus, String promql) throws Exception {
    JsonNode result = prometheus.query(promql);
    return result.size() == 0 ? Double.NaN : result.path(0).path("value").get(1).asDouble();
  }

  private List<String> checkDashboard(PrometheusProcess prometheus, boolean report)
      throws Exception {
    Set<String> known = new TreeSet<>();
    for (JsonNode name : prometheus.get("/api/v1/label/__name__/values").path("data")) {
      known.add(name.asText());
    }
    JsonNode dashboard = JSON.readTree(
        Tools.examplesDir().resolve("grafana/llm-pulse-dashboard.json").toFile());
    List<String> empty = new ArrayList<>();
    int checked = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        JsonNode result = prometheus.query(expr);
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
}

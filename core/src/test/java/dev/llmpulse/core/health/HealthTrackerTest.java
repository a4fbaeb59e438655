package dev.llmpulse.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.internal.CallOutcome;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.LlmMetrics;
import dev.llmpulse.core.WireFormat;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The passive tracker, driven directly with a fake clock. */
class HealthTrackerTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(1_000 * S);
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetrics metrics = LlmMetrics.forRegistry(registry);

  private HealthTracker tracker(HealthPolicy policy) {
    return HealthTracker.create(policy, registry, now::get);
  }

  private LlmCall start(HealthTracker tracker, String model) {
    return metrics.startCall(WireFormat.OPENAI_CHAT, "openai", model, "api.openai.com", false,
        CostModel.NONE, now::get, tracker);
  }

  private void calls(HealthTracker tracker, int n, String errorType, long durationNanos) {
    for (int i = 0; i < n; i++) {
      LlmCall call = start(tracker, "gpt-4o-mini");
      tracker.callEnded(call, outcome(errorType), durationNanos, -1);
    }
  }

  private HealthState state(HealthTracker tracker) {
    return tracker.state("openai", "api.openai.com");
  }

  @Test
  void failuresAreServerErrorsThrottlingTimeoutsAndBrokenAnswersNotClientErrorsOrCancels() {
    for (String failure : new String[] {"500", "502", "503", "529", "429", "timeout",
        "connect_error", "io_error", "invalid_response", "incomplete_stream", "stream_error"}) {
      assertThat(outcome(failure).kind()).as(failure).isEqualTo(CallOutcome.Kind.FAILURE);
    }
    for (String success : new String[] {"", "400", "401", "404", "413", "422"}) {
      assertThat(outcome(success).kind()).as(success).isEqualTo(CallOutcome.Kind.SUCCESS);
    }
    assertThat(outcome("canceled").kind()).isEqualTo(CallOutcome.Kind.IGNORED);
  }

  @Test
  void slowCallsAboveTheP95SloDegradeAndFastOnesDoNot() {
    HealthTracker tracker = tracker(HealthPolicy.custom().p95Duration(Duration.ofSeconds(2)).build());
    calls(tracker, 20, "", 200 * MS);
    assertThat(state(tracker)).isEqualTo(HealthState.HEALTHY);
    assertThat(tracker.upstreams().get(0).p95DurationSeconds()).isBetween(0.1, 0.25);

    calls(tracker, 5, "", 15 * S);

    UpstreamStatus status = tracker.upstreams().get(0);
    assertThat(status.state()).isEqualTo(HealthState.DEGRADED);
    assertThat(status.reason()).contains("p95 duration");
    assertThat(status.p95DurationSeconds()).isBetween(10.0, 15.0);
  }

  @Test
  void consecutiveFailuresMakeItDownAtOnceAndTheWindowForgetsThem() {
    HealthTracker tracker = tracker(HealthPolicy.ofDefaults());
    calls(tracker, 4, "503", 50 * MS);
    assertThat(state(tracker)).as("4 failures: below minCalls and the streak").isEqualTo(HealthState.HEALTHY);
    calls(tracker, 1, "timeout", 30 * S);
    assertThat(state(tracker)).isEqualTo(HealthState.DOWN);
    assertThat(tracker.upstreams().get(0).consecutiveFailures()).isEqualTo(5);

    now.addAndGet(61 * S);
    assertThat(state(tracker)).as("no evidence in the window").isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void canceledCallsAndClientErrorsDoNotCountAsFailures() {
    HealthTracker tracker = tracker(HealthPolicy.ofDefaults());
    calls(tracker, 10, "canceled", S);
    calls(tracker, 10, "400", 10 * MS);
    UpstreamStatus status = tracker.upstreams().get(0);
    assertThat(status.calls()).isEqualTo(10);
    assertThat(status.failures()).isZero();
    assertThat(status.state()).isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void aCallStalledPastTheSloDegradesBeforeItEnds() {
    HealthTracker tracker = tracker(HealthPolicy.custom().stallAfter(Duration.ofSeconds(10)).build());
    LlmCall hung = start(tracker, "gpt-4o-mini");
    now.addAndGet(9 * S);
    assertThat(state(tracker)).isEqualTo(HealthState.HEALTHY);
    now.addAndGet(2 * S);

    UpstreamStatus status = tracker.upstreams().get(0);
    assertThat(status.state()).isEqualTo(HealthState.DEGRADED);
    assertThat(status.oldestInFlightSeconds()).isEqualTo(11.0);
    assertThat(status.calls()).isZero();

    tracker.callEnded(hung, outcome("canceled"), 11 * S, -1);
    assertThat(state(tracker)).isEqualTo(HealthState.HEALTHY);
  }

  @Test
  void perModelTrackingKeepsModelsApart() {
    HealthTracker tracker = tracker(HealthPolicy.custom().perModel(true).build());
    for (int i = 0; i < 5; i++) {
      tracker.callEnded(start(tracker, "bad-model"), outcome("500"), MS, -1);
      tracker.callEnded(start(tracker, "good-model"), outcome(""), MS, -1);
    }
    assertThat(tracker.state("openai", "api.openai.com", "bad-model")).isEqualTo(HealthState.DOWN);
    assertThat(tracker.state("openai", "api.openai.com", "good-model")).isEqualTo(HealthState.HEALTHY);
    assertThat(state(tracker)).as("worst of its models").isEqualTo(HealthState.DOWN);
  }

  @Test
  void listenerIsCalledOncePerTransitionEvenFromManyThreads() throws Exception {
    HealthTracker tracker = tracker(HealthPolicy.ofDefaults());
    List<String> transitions = Collections.synchronizedList(new ArrayList<>());
    tracker.addListener((u, from, to) -> transitions.add(from + "->" + to));
    tracker.addListener((u, from, to) -> {
      throw new IllegalStateException("a broken listener changes nothing");
    });

    runConcurrently(8, 500, () -> tracker.callEnded(start(tracker, "m"), outcome("500"), MS, -1));
    state(tracker);
    state(tracker);
    assertThat(transitions).containsExactly("HEALTHY->DOWN");

    now.addAndGet(61 * S);
    calls(tracker, 5, "", MS);
    state(tracker);
    assertThat(transitions).containsExactly("HEALTHY->DOWN", "DOWN->HEALTHY");
  }

  @Test
  void concurrentUpdatesFromManyThreadsKeepCountsExact() throws Exception {
    HealthTracker tracker = tracker(HealthPolicy.ofDefaults());
    LlmCall call = start(tracker, "gpt-4o-mini");
    int threads = 16;
    int perThread = 20_000;
    AtomicLong n = new AtomicLong();
    runConcurrently(threads, perThread, () -> {
      boolean fail = n.incrementAndGet() % 10 == 0;
      tracker.callEnded(call, outcome(fail ? "500" : ""), 300 * MS, 100 * MS);
    });
    UpstreamStatus status = tracker.upstreams().get(0);
    assertThat(status.calls()).isEqualTo((long) threads * perThread);
    assertThat(status.failures()).isEqualTo((long) threads * perThread / 10);
    assertThat(status.state()).isEqualTo(HealthState.DEGRADED);
  }

  @Test
  void concurrentUpdatesWhileTheWindowSlidesLoseNothingInsideIt() throws Exception {
    HealthTracker tracker = tracker(HealthPolicy.ofDefaults());
    LlmCall call = start(tracker, "gpt-4o-mini");
    // 20 buckets of 3 s: the clock moves 1 s every 1000 calls, 40 s in all, inside the window
    AtomicLong n = new AtomicLong();
    runConcurrently(8, 5_000, () -> {
      if (n.incrementAndGet() % 1000 == 0) now.addAndGet(S);
      tracker.callEnded(call, outcome(""), MS, -1);
    });
    assertThat(tracker.upstreams().get(0).calls()).isEqualTo(40_000);
  }

  @Test
  void stateSetAndOldestInFlightAreScrapedWithTheClock() throws IOException {
    HealthTracker tracker = tracker(HealthPolicy.custom().stallAfter(Duration.ofSeconds(10)).build());
    start(tracker, "gpt-4o-mini");
    now.addAndGet(15 * S);

    String text = scrape();

    assertThat(text).contains("# TYPE gen_ai_client_upstream_state gauge");
    // one series per state, label "state" as the metric contract names it; labels sorted
    assertThat(text).contains("gen_ai_client_upstream_state{gen_ai_provider_name=\"openai\","
        + "gen_ai_request_model=\"\",server_address=\"api.openai.com\","
        + "state=\"degraded\"} 1");
    assertThat(text).contains("state=\"healthy\"} 0");
    assertThat(text).contains("gen_ai_client_oldest_in_flight_seconds{gen_ai_provider_name="
        + "\"openai\",server_address=\"api.openai.com\"} 15.0");
  }

  @Test
  void twoTrackersOnOneRegistryShareTheMetricsAndShowTheWorstState() throws IOException {
    HealthTracker healthy = tracker(HealthPolicy.ofDefaults());
    HealthTracker failing = tracker(HealthPolicy.ofDefaults());
    calls(healthy, 5, "", MS);
    calls(failing, 5, "500", MS);
    String text = scrape();
    assertThat(text).containsOnlyOnce("state=\"down\"} 1");
  }

  @Test
  void policyRejectsNonsenseWithClearMessages() {
    assertThatThrownBy(() -> HealthPolicy.custom().window(Duration.ofSeconds(5)))
        .hasMessageContaining("between 10 s and 1 h");
    assertThatThrownBy(() -> HealthPolicy.custom().downErrorRatio(1.5))
        .hasMessageContaining("downErrorRatio must be in (0, 1]");
    assertThatThrownBy(() -> HealthPolicy.custom().degradedErrorRatio(0.6).downErrorRatio(0.5).build())
        .hasMessageContaining("above downErrorRatio");
    assertThatThrownBy(() -> HealthPolicy.custom().p95Duration(Duration.ZERO))
        .hasMessageContaining("p95Duration must be positive");
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8.name());
  }

  private static void runConcurrently(int threads, int perThread, Runnable task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < perThread; i++) task.run();
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    pool.shutdown();
  }

  /** The outcome of a call that ended with {@code errorType}, as LlmCall makes it. */
  static CallOutcome outcome(String errorType) {
    return !errorType.isEmpty() && Character.isDigit(errorType.charAt(0))
        ? CallOutcome.ofStatus(Integer.parseInt(errorType)) : CallOutcome.ofFailure(errorType);
  }
}

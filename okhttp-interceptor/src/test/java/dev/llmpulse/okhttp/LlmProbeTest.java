package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The active probe: floor, backoff, headroom, verdicts, tagging; scheduled by hand. */
class LlmProbeTest {
  private static final long S = 1_000_000_000L;
  private static final String ANSWER = "{\"id\":\"c1\",\"model\":\"gpt-4o-mini-2024-07-18\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"P\"},"
      + "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":1,"
      + "\"total_tokens\":9}}";
  private static final String MODELS = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\"}]}";

  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicLong now = new AtomicLong(100 * S);
  private final AtomicLong wallMillis = new AtomicLong(1_760_000_000_000L);
  private final FakeScheduler scheduler = new FakeScheduler();
  private LlmMetricsInterceptor interceptor;
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    server.start();
    interceptor = LlmMetricsInterceptor.builder().registry(registry)
        .provider(server.getHostName(), "mock").clock(now::get).build();
    client = new OkHttpClient.Builder().addInterceptor(interceptor)
        .readTimeout(5, TimeUnit.SECONDS).build();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private LlmProbe.Builder probe() {
    return LlmProbe.builder(client, server.url("/v1").toString())
        .registry(registry)
        .interval(Duration.ofSeconds(30))
        .scheduler(scheduler)
        .clock(now::get)
        .wallMillis(wallMillis::get)
        .random(() -> 0.5); // no jitter
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private double probes(String model, String result) {
    return Scrape.of(registry).counter(LlmProbe.PROBES, "gen_ai_request_model", model, "result", result);
  }

  private double success(String model) {
    return Scrape.of(registry).gauge(LlmProbe.SUCCESS, "gen_ai_request_model", model);
  }

  @Test
  void intervalBelowTheTenSecondFloorIsRejectedWithTheReason() {
    assertThatThrownBy(() -> LlmProbe.builder(client, "https://api.openai.com/v1")
        .interval(Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below the 10 s floor")
        .hasMessageContaining("ban API keys");
    LlmProbe.builder(client, "https://api.openai.com/v1").interval(Duration.ofSeconds(10));
    assertThatThrownBy(() -> LlmProbe.builder(client, "https://api.openai.com/v1").build())
        .hasMessageContaining("nothing to probe");
  }

  @Test
  void validAnswersSucceedAndTheProbeIsTaggedCountedInCostAndLeftOutOfHealth() throws Exception {
    server.enqueue(json(200, MODELS));
    server.enqueue(json(200, ANSWER));
    LlmProbe probe = probe().models().generation("gpt-4o-mini").build();

    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.SUCCESS);

    RecordedRequest models = server.takeRequest();
    RecordedRequest generation = server.takeRequest();
    assertThat(models.getMethod()).isEqualTo("GET");
    assertThat(models.getPath()).isEqualTo("/v1/models");
    assertThat(models.getHeader(LlmProbe.PROBE_HEADER)).isEqualTo("1");
    assertThat(generation.getPath()).isEqualTo("/v1/chat/completions");
    assertThat(generation.getBody().readUtf8()).contains("\"max_tokens\":1").contains("\"model\":\"gpt-4o-mini\"");
    assertThat(generation.getHeader(LlmProbe.PROBE_HEADER)).isEqualTo("1");

    assertThat(success("")).isEqualTo(1);
    assertThat(success("gpt-4o-mini")).isEqualTo(1);
    assertThat(probes("gpt-4o-mini", "success")).isEqualTo(1);
    assertThat(probes("gpt-4o-mini", "failure")).as("exported as 0").isZero();
    assertThat(Scrape.of(registry).gauge(LlmProbe.DURATION, "gen_ai_request_model", "gpt-4o-mini"))
        .isGreaterThanOrEqualTo(0);
    assertThat(Scrape.of(registry).counter("gen_ai_client_cost_usd", "gen_ai_request_model", "gpt-4o-mini"))
        .as("probe spend is real spend").isGreaterThan(0);
    assertThat(Scrape.of(registry).series(LlmProbe.SUCCESS).get(0).get("gen_ai_provider_name"))
        .as("the interceptor's provider name").isEqualTo("mock");
    assertThat(interceptor.health().upstreams()).as("probes stay out of passive health").isEmpty();
    assertThat(probe.lastDelayNanos()).isEqualTo(30 * S);
  }

  @Test
  void aTwoHundredWithAnInvalidBodyIsAFailedProbe() {
    server.enqueue(json(200, "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"mess"));
    server.enqueue(new MockResponse().setHeader("Content-Type", "text/html").setBody("<html>502</html>"));
    LlmProbe generation = probe().generation("gpt-4o-mini").build();
    LlmProbe models = probe().models().build();

    assertThat(generation.probeOnce()).isEqualTo(LlmProbe.Result.FAILURE);
    assertThat(models.probeOnce()).isEqualTo(LlmProbe.Result.FAILURE);

    assertThat(success("gpt-4o-mini")).isZero();
    assertThat(success("")).isZero();
    assertThat(probes("gpt-4o-mini", "failure")).isEqualTo(1);
    assertThat(probes("", "failure")).isEqualTo(1);
  }

  @Test
  void backsOffExponentiallyHonoringRetryAfterOn429() {
    LlmProbe probe = probe().generation("gpt-4o-mini").build();

    server.enqueue(json(429, "{\"error\":{}}").setHeader("Retry-After", "300"));
    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.FAILURE);
    assertThat(probe.lastDelayNanos()).as("Retry-After beats the 60 s backoff").isEqualTo(300 * S);

    server.enqueue(json(429, "{\"error\":{}}"));
    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.FAILURE);
    assertThat(probe.lastDelayNanos()).as("30 s doubled twice").isEqualTo(120 * S);

    server.enqueue(json(500, "{\"error\":{}}").setHeader("Retry-After", "1"));
    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.FAILURE);
    assertThat(probe.lastDelayNanos()).as("backoff beats a shorter Retry-After").isEqualTo(240 * S);

    server.enqueue(json(200, ANSWER));
    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.SUCCESS);
    assertThat(probe.lastDelayNanos()).isEqualTo(30 * S);
  }

  @Test
  void backoffIsCappedAndJitterNeverGoesBelowTheFloor() {
    LlmProbe probe = probe().generation("gpt-4o-mini").maxBackoff(Duration.ofMinutes(5))
        .interval(Duration.ofSeconds(10)).jitter(0.5).random(() -> 0.0).build();
    server.enqueue(json(200, ANSWER));
    probe.probeOnce();
    assertThat(probe.lastDelayNanos()).as("10 s - 50 % clamped to the floor").isEqualTo(10 * S);
    for (int i = 0; i < 12; i++) {
      server.enqueue(json(503, "{}"));
      probe.probeOnce();
    }
    assertThat(probe.lastDelayNanos()).isEqualTo(150 * S); // 5 min cap, then -50 % jitter
  }

  @Test
  void skipsWhileRateLimitHeadroomIsLowUntilTheWindowResets() {
    LlmProbe probe = probe().generation("gpt-4o-mini").build();
    server.enqueue(json(200, ANSWER)
        .setHeader("x-ratelimit-limit-requests", "100")
        .setHeader("x-ratelimit-remaining-requests", "2")
        .setHeader("x-ratelimit-reset-requests", "6m0s"));
    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.SUCCESS);

    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.SKIPPED);
    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.SKIPPED);
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(probes("gpt-4o-mini", "skipped")).isEqualTo(2);
    assertThat(success("gpt-4o-mini")).as("the last real result stays").isEqualTo(1);

    wallMillis.addAndGet(361_000); // the window has reset
    server.enqueue(json(200, ANSWER));
    assertThat(probe.probeOnce()).isEqualTo(LlmProbe.Result.SUCCESS);
  }

  @Test
  void startSchedulesRoundsOnTheSchedulerAndCloseStopsThem() {
    server.enqueue(json(200, MODELS));
    LlmProbe probe = probe().models().jitter(0.2).build();
    probe.start();
    assertThat(scheduler.delays).containsExactly(3 * S); // a random part of the jitter
    scheduler.runNext();
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(scheduler.delays).containsExactly(3 * S, 30 * S);

    probe.close();
    assertThat(scheduler.tasks.get(1).isCancelled()).isTrue();
    assertThatThrownBy(probe::start).hasMessageContaining("closed");
  }

  /** Records what the probe schedules; the test runs it. */
  static final class FakeScheduler implements LlmProbe.Scheduler {
    final List<Long> delays = new ArrayList<>();
    final List<CompletableFuture<Void>> tasks = new ArrayList<>();
    final List<Runnable> runnables = new ArrayList<>();
    private int next;

    @Override
    public Future<?> schedule(Runnable task, long delayNanos) {
      delays.add(delayNanos);
      runnables.add(task);
      CompletableFuture<Void> future = new CompletableFuture<>();
      tasks.add(future);
      return future;
    }

    void runNext() {
      runnables.get(next++).run();
    }

    @Override
    public void shutdown() {}
  }
}

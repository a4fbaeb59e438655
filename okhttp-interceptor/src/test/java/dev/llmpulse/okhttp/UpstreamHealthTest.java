package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthState;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.health.UpstreamStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Passive health from real calls through the interceptor, with a clock the test drives. */
class UpstreamHealthTest {
  private static final long S = 1_000_000_000L;
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String ANSWER = "{\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},\"finish_reason\":\"stop\"}]}";

  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicLong now = new AtomicLong(5_000 * S);
  /** How far the clock moves while a call is on the wire. */
  private final AtomicLong latency = new AtomicLong(S / 5);
  private final List<String> transitions = Collections.synchronizedList(new ArrayList<>());
  private LlmMetricsInterceptor interceptor;
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    server.start();
    interceptor = LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE)
        .provider(server.getHostName(), "mock")
        .health(HealthPolicy.custom().p95Duration(Duration.ofSeconds(5)).build())
        .clock(now::get)
        .build();
    interceptor.health().addListener((u, from, to) -> transitions.add(from + "->" + to));
    client = new OkHttpClient.Builder().addInterceptor(interceptor)
        .addNetworkInterceptor(chain -> {
          now.addAndGet(latency.get());
          return chain.proceed(chain.request());
        })
        .readTimeout(5, TimeUnit.SECONDS).build();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private Request chat() {
    return new Request.Builder().url(server.url("/v1/chat/completions"))
        .post(RequestBody.create(CHAT, JSON)).build();
  }

  private void calls(int n, int status) throws IOException {
    for (int i = 0; i < n; i++) {
      server.enqueue(new MockResponse().setResponseCode(status)
          .setHeader("Content-Type", "application/json")
          .setBody(status == 200 ? ANSWER : "{\"error\":{\"message\":\"overloaded\"}}"));
      try (Response response = client.newCall(chat()).execute()) {
        response.body().string();
      }
    }
  }

  private HealthState state() {
    return interceptor.health().state("mock", server.getHostName());
  }

  /** The upstream state gauge's value for {@code state}, read from the text exposition. */
  private double scrapedState(String state) throws IOException {
    return stateIn(Scrape.of(registry), state);
  }

  static double stateIn(Scrape scrape, String state) throws IOException {
    String marker = ",state=\"" + state + "\"} ";
    for (String line : scrape.text().split("\n")) {
      int at = line.indexOf(marker);
      if (line.startsWith(HealthTracker.UPSTREAM_STATE + "{") && at > 0) {
        return Double.parseDouble(line.substring(at + marker.length()).trim());
      }
    }
    return Double.NaN;
  }

  @Test
  void latencyJumpMakesTheUpstreamDegraded() throws IOException {
    calls(10, 200);
    assertThat(state()).isEqualTo(HealthState.HEALTHY);
    assertThat(scrapedState("healthy")).isEqualTo(1);

    latency.set(15 * S); // the night of the outage: 200 ms -> 15 s
    calls(3, 200);

    assertThat(state()).isEqualTo(HealthState.DEGRADED);
    assertThat(scrapedState("degraded")).isEqualTo(1);
    assertThat(scrapedState("healthy")).isEqualTo(0);
    assertThat(transitions).containsExactly("HEALTHY->DEGRADED");
  }

  @Test
  void allCallsFailingMakeItDownAndRecoveryMakesItHealthyAgain() throws IOException {
    calls(5, 503);
    assertThat(state()).isEqualTo(HealthState.DOWN);
    assertThat(scrapedState("down")).isEqualTo(1);
    UpstreamStatus status = interceptor.health().upstreams().get(0);
    assertThat(status.failures()).isEqualTo(5);
    assertThat(status.reason()).contains("consecutive failures");

    now.addAndGet(61 * S); // the failures leave the window
    calls(5, 200);

    assertThat(state()).isEqualTo(HealthState.HEALTHY);
    assertThat(scrapedState("healthy")).isEqualTo(1);
    assertThat(transitions).containsExactly("HEALTHY->DOWN", "DOWN->HEALTHY");
  }

  @Test
  void throttlingCountsAsFailureButClientErrorsDoNot() throws IOException {
    calls(5, 400);
    assertThat(state()).isEqualTo(HealthState.HEALTHY);
    calls(5, 429);
    assertThat(state()).isEqualTo(HealthState.DOWN);
  }

  @Test
  void hungUpstreamShowsInOldestInFlightAndDegradesBeforeAnyCallEnds() throws Exception {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
    Call call = client.newCall(chat());
    Thread app = new Thread(() -> {
      try (Response response = call.execute()) {
        response.body().string();
      } catch (IOException expected) {
        // canceled below
      }
    });
    app.start();
    try {
      long deadline = System.nanoTime() + 5 * S;
      while (interceptor.health().upstreams().isEmpty()
          || interceptor.health().upstreams().get(0).inFlight() == 0) {
        assertThat(System.nanoTime()).as("call started").isLessThan(deadline);
        Thread.sleep(5);
      }
      // The request reached the server, so the network interceptor has already moved the clock.
      assertThat(server.takeRequest(5, TimeUnit.SECONDS)).as("request on the wire").isNotNull();
      double before = Scrape.of(registry).gauge(HealthTracker.OLDEST_IN_FLIGHT);
      now.addAndGet(20 * S);
      Scrape scrape = Scrape.of(registry);

      assertThat(scrape.gauge(HealthTracker.OLDEST_IN_FLIGHT, "server_address", server.getHostName()))
          .isEqualTo(before + 20);
      assertThat(stateIn(scrape, "degraded")).isEqualTo(1);
      assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds"))
          .as("no call has ended").isZero();
      assertThat(transitions).containsExactly("HEALTHY->DEGRADED");
    } finally {
      call.cancel();
      app.join(5_000);
    }
    assertThat(Scrape.of(registry).gauge(HealthTracker.OLDEST_IN_FLIGHT)).isZero();
    assertThat(state()).as("a canceled call is no evidence").isEqualTo(HealthState.HEALTHY);
  }
}

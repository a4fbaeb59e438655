package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** The dispatcher pile-up, visible: OkHttp runs 5 calls per host and queues the rest. */
class DispatcherMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  @Test
  void queuedAndRunningCallsAndTheDefaultFivePerHostLimitAreExposed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(8);
    OkHttpClient client = new OkHttpClient.Builder()
        .addInterceptor(chain -> {
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return InProcess.response(chain.request(), 200, "application/json", "{}".getBytes());
        }).build();
    DispatcherMetrics.register(registry, "support-bot", client);
    DispatcherMetrics.register(registry, "support-bot", client); // idempotent

    for (int i = 0; i < 8; i++) {
      client.newCall(new Request.Builder().url("http://llm.example/v1/chat/completions").build())
          .enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
              done.countDown();
            }

            @Override
            public void onResponse(Call call, Response response) {
              response.close();
              done.countDown();
            }
          });
    }
    try {
      Scrape scrape = Scrape.of(registry);
      assertThat(scrape.gauge(DispatcherMetrics.RUNNING, "client", "support-bot")).isEqualTo(5);
      assertThat(scrape.gauge(DispatcherMetrics.QUEUED, "client", "support-bot")).isEqualTo(3);
      assertThat(scrape.gauge(DispatcherMetrics.MAX_PER_HOST, "client", "support-bot")).isEqualTo(5);
      assertThat(scrape.gauge(DispatcherMetrics.MAX_REQUESTS, "client", "support-bot")).isEqualTo(64);
    } finally {
      release.countDown();
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    client.dispatcher().executorService().shutdown();

    DispatcherMetrics.unregister(registry, "support-bot");
    assertThat(Scrape.of(registry).series(DispatcherMetrics.QUEUED)).isEmpty();
  }
}

package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attribution through OkHttp: the request tag, for blocking and enqueued calls; the scope around
 * a blocking call whose stream is read later on another thread; the tag over the scope.
 */
class AttributionTagsTest {
  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  /** Recorded: 12 input, 5 output tokens. */
  private final Fixture.Interaction whole =
      Fixture.load("openai/test_chat_completion_with_content.json").first();
  /** Recorded stream with include_usage: 22 input, 3 output tokens. */
  private final Fixture.Interaction stream =
      Fixture.load("openai/test_chat_stream_with_include_usage_option.json").first();
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    server.start();
    client = new OkHttpClient.Builder()
        .dns(Fixture.LOOPBACK)
        .addInterceptor(LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE)
            .attribution(Attribution.key("feature").allow("refunds", "order_status"))
            .attribution(Attribution.key("tenant").maxValues(10))
            .build())
        .build();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private static Request tagged(Request request, Attribution.Tags tags) {
    return request.newBuilder().tag(Attribution.Tags.class, tags).build();
  }

  private double calls(String... labels) {
    return Scrape.of(registry).counter("gen_ai_client_calls", labels);
  }

  private double tokens(String type, String... labels) {
    String[] all = new String[labels.length + 2];
    System.arraycopy(labels, 0, all, 0, labels.length);
    all[labels.length] = "gen_ai_token_type";
    all[labels.length + 1] = type;
    return Scrape.of(registry).counter("gen_ai_client_tokens", all);
  }

  @Test
  void aRequestTagLabelsABlockingCall() throws IOException {
    server.enqueue(whole.mockResponse());
    Request request = tagged(whole.request(server), Attribution.tags("feature", "refunds",
        "tenant", "acme"));
    try (Response response = client.newCall(request).execute()) {
      response.body().string();
    }
    assertThat(tokens("input", "feature", "refunds", "tenant", "acme")).isEqualTo(12);
    assertThat(calls("feature", "refunds", "tenant", "acme", "error_type", "")).isEqualTo(1);
  }

  @Test
  void aRequestTagReachesAnEnqueuedCallWhereTheScopeCannot() throws Exception {
    server.enqueue(whole.mockResponse());
    server.enqueue(whole.mockResponse());
    try (Attribution.Scope s = Attribution.with("feature", "order_status")) {
      enqueue(tagged(whole.request(server), Attribution.tags("feature", "refunds")));
      enqueue(whole.request(server)); // the dispatcher thread does not see this scope
    }
    assertThat(calls("feature", "refunds")).isEqualTo(1);
    assertThat(calls("feature", "")).isEqualTo(1);
    assertThat(calls("feature", "order_status")).isZero();
  }

  private void enqueue(Request request) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        done.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response response) throws IOException {
        try (Response r = response) {
          r.body().string();
        }
        done.complete(null);
      }
    });
    done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aStreamKeepsTheScopeOfItsStartWhenReadOnAnotherThread() throws Exception {
    server.enqueue(stream.mockResponse());
    Response response;
    try (Attribution.Scope s = Attribution.with("feature", "order_status")) {
      response = client.newCall(stream.request(server)).execute();
    }
    CompletableFuture.runAsync(() -> {
      try (Response r = response) {
        r.body().string();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }).get(10, TimeUnit.SECONDS);
    assertThat(tokens("input", "feature", "order_status")).isEqualTo(22);
    assertThat(tokens("output", "feature", "order_status")).isEqualTo(3);
    assertThat(calls("feature", "order_status", "error_type", "")).isEqualTo(1);
  }

  @Test
  void theTagWinsOverTheScopeKeyByKey() throws IOException {
    server.enqueue(whole.mockResponse());
    try (Attribution.Scope s = Attribution.with(
        Attribution.tags("feature", "order_status", "tenant", "acme"))) {
      try (Response response = client.newCall(tagged(whole.request(server),
          Attribution.tags("feature", "refunds"))).execute()) {
        response.body().string();
      }
    }
    assertThat(calls("feature", "refunds", "tenant", "acme")).isEqualTo(1);
  }

  @Test
  void aValueOutsideTheAllowListIsOther() throws IOException {
    server.enqueue(whole.mockResponse());
    try (Response response = client.newCall(tagged(whole.request(server),
        Attribution.tags("feature", "how do I get a refund for order 1234?"))).execute()) {
      response.body().string();
    }
    assertThat(calls("feature", Attribution.OTHER)).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_attribution_dropped",
        "reason", "not_allowed")).isEqualTo(1);
  }
}

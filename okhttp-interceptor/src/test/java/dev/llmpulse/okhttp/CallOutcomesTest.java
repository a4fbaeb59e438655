package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How each way a call can end is recorded: once, with a named error type, app untouched. */
class CallOutcomesTest {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String ANSWER = "{\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}";

  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private OkHttpClient client;

  @BeforeEach
  void start() throws IOException {
    server.start();
    client = clientWith(LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).build());
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private OkHttpClient clientWith(Interceptor interceptor) {
    return new OkHttpClient.Builder().addInterceptor(interceptor).readTimeout(2, TimeUnit.SECONDS).build();
  }

  private Request chat() {
    return new Request.Builder().url(server.url("/v1/chat/completions"))
        .post(RequestBody.create(CHAT, JSON)).build();
  }

  private long calls(String errorType) {
    return Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds", "error_type", errorType);
  }

  private long allCalls() {
    return Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds");
  }

  private double inFlight() {
    return Scrape.of(registry).gauge("gen_ai_client_requests_in_flight");
  }

  @Test
  void connectionRefusedIsConnectErrorAndTheAppGetsItsOwnException() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/v1/chat/completions")
        .post(RequestBody.create(CHAT, JSON)).build();

    assertThatThrownBy(() -> client.newCall(request).execute()).isInstanceOf(ConnectException.class);

    assertThat(calls("connect_error")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
    assertThat(inFlight()).isZero();
  }

  @Test
  void readTimeoutBeforeHeadersIsTimeout() {
    server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));

    assertThatThrownBy(() -> client.newCall(chat()).execute()).isInstanceOf(SocketTimeoutException.class);

    assertThat(calls("timeout")).isEqualTo(1);
    assertThat(allCalls()).isEqualTo(1);
  }

  @Test
  void errorStatusesAreTheirCodeAndTheBodyReachesTheApp() throws IOException {
    for (int code : new int[] {404, 429, 500, 529}) {
      String body = "{\"error\":{\"message\":\"status " + code + "\"}}";
      server.enqueue(new MockResponse().setResponseCode(code).setBody(body));
      try (Response response = client.newCall(chat()).execute()) {
        assertThat(response.code()).isEqualTo(code);
        assertThat(response.body().string()).isEqualTo(body);
      }
      assertThat(calls(Integer.toString(code))).as("status " + code).isEqualTo(1);
    }
    assertThat(allCalls()).isEqualTo(4);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses"))
        .as("an error status is not a ghost success").isZero();
  }

  @Test
  void tooManyRequestsWithRetryAfterIsRecordedAs429() throws IOException {
    server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "7")
        .setHeader("x-ratelimit-remaining-requests", "0").setBody("{\"error\":{}}"));
    try (Response response = client.newCall(chat()).execute()) {
      assertThat(response.header("Retry-After")).isEqualTo("7");
    }
    assertThat(calls("429")).isEqualTo(1);
    assertThat(Scrape.of(registry).gauge("gen_ai_client_rate_limit_remaining", "limit_type", "requests"))
        .isEqualTo(0);
  }

  @Test
  void htmlPageWithStatus200IsAGhostSuccess() throws IOException {
    String html = "<html><body>502 Bad Gateway</body></html>";
    server.enqueue(new MockResponse().setHeader("Content-Type", "text/html").setBody(html));
    try (Response response = client.newCall(chat()).execute()) {
      assertThat(response.body().string()).isEqualTo(html);
    }
    assertThat(calls("invalid_response")).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "unexpected_content_type"))
        .isEqualTo(1);
  }

  @Test
  void emptyBodyWithStatus200IsAGhostSuccess() throws IOException {
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json"));
    try (Response response = client.newCall(chat()).execute()) {
      assertThat(response.body().string()).isEmpty();
    }
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses", "reason", "empty_body"))
        .isEqualTo(1);
    assertThat(calls("invalid_response")).isEqualTo(1);
  }

  @Test
  void bodyLargerThanOneMebibyteIsReadWholeAndParsedInPassing() throws IOException {
    StringBuilder content = new StringBuilder();
    while (content.length() < 3 * 1024 * 1024) content.append("lorem ipsum dolor sit amet ");
    String big = ANSWER.replace("\"hello\"", "\"" + content + "\"");
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(big));
    try (Response response = client.newCall(chat()).execute()) {
      assertThat(response.body().string()).isEqualTo(big);
    }
    assertThat(calls("")).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(2);
  }

  @Test
  void oneShotRequestBodyIsNotReadButTheCallIsMeasured() throws Exception {
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER));
    RequestBody oneShot = new RequestBody() {
      private boolean written;

      @Override
      public MediaType contentType() {
        return JSON;
      }

      @Override
      public boolean isOneShot() {
        return true;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        if (written) throw new IllegalStateException("one-shot body written twice");
        written = true;
        sink.writeUtf8(CHAT);
      }
    };
    Request request = new Request.Builder().url(server.url("/v1/chat/completions")).post(oneShot).build();
    try (Response response = client.newCall(request).execute()) {
      assertThat(response.body().string()).isEqualTo(ANSWER);
    }
    assertThat(server.takeRequest().getBody().readUtf8()).isEqualTo(CHAT);
    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds",
        "gen_ai_request_model", "", "gen_ai_response_model", "gpt-4o-mini-2024-07-18")).isEqualTo(1);
  }

  @Test
  void applicationExceptionFromALaterInterceptorReachesTheAppUnchanged() {
    IOException appFailure = new IOException("the app's own failure");
    OkHttpClient failing = client.newBuilder()
        .addInterceptor(chain -> {
          throw appFailure;
        })
        .build();

    assertThatThrownBy(() -> failing.newCall(chat()).execute()).isSameAs(appFailure);
    assertThat(calls("io_error")).isEqualTo(1);
  }

  @Test
  void bodyClosedUnreadIsRecordedOnce() throws IOException {
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER));
    Response response = client.newCall(chat()).execute();
    assertThat(allCalls()).isZero();
    assertThat(inFlight()).isEqualTo(1);

    response.close();
    response.close();

    assertThat(allCalls()).isEqualTo(1);
    assertThat(inFlight()).isZero();
  }

  @Test
  void bodyReadHalfThenClosedIsRecordedOnce() throws IOException {
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER));
    try (Response response = client.newCall(chat()).execute()) {
      response.body().source().readByteArray(10);
    }
    assertThat(allCalls()).isEqualTo(1);
    assertThat(Scrape.of(registry).counter("gen_ai_client_invalid_responses"))
        .as("an unread rest is not judged").isZero();
  }

  @Test
  void readerThatStopsAtTheEndOfTheJsonDocumentStillGetsUsage() throws IOException {
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER + "\n"));
    try (Response response = client.newCall(chat()).execute()) {
      response.body().source().readByteArray(ANSWER.length()); // like Jackson's readTree: no EOF read
    }
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(9);
    assertThat(calls("")).isEqualTo(1);
  }

  @Test
  void responseBodyReplacedByALaterInterceptorIsStillRecordedOnce() throws IOException {
    OkHttpClient inProcess = client.newBuilder()
        .addInterceptor(chain -> new Response.Builder()
            .request(chain.request())
            .protocol(okhttp3.Protocol.HTTP_1_1)
            .code(200).message("OK")
            .body(ResponseBody.create(new Buffer().writeUtf8(ANSWER), JSON, ANSWER.length()))
            .build())
        .build();
    for (int i = 0; i < 3; i++) {
      try (Response response = inProcess.newCall(chat()).execute()) {
        assertThat(response.body().string()).isEqualTo(ANSWER);
      }
    }
    assertThat(calls("")).isEqualTo(3);
    assertThat(Scrape.of(registry).counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(6);
  }

  @Test
  void twoInterceptorsOnOneRegistryShareOneMetricSet() throws IOException {
    OkHttpClient other = clientWith(LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).build());
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER));
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER));
    try (Response response = client.newCall(chat()).execute()) {
      response.body().string();
    }
    try (Response response = other.newCall(chat()).execute()) {
      response.body().string();
    }
    assertThat(calls("")).isEqualTo(2);
  }

  @Test
  void prometheusClientIsTheOneThisTestExecutionTargets() {
    String expected = System.getProperty("llmpulse.expectedPrometheus", "1.10.0");
    String jar = io.prometheus.metrics.core.metrics.Counter.class.getProtectionDomain()
        .getCodeSource().getLocation().getPath();
    assertThat(jar).endsWith("prometheus-metrics-core-" + expected + ".jar");
  }

  @Test
  void okHttpVersionIsTheOneThisTestExecutionTargets() {
    String expectedMajor = System.getProperty("llmpulse.expectedOkHttp", "5");
    assertThat(okhttp3.OkHttp.VERSION).startsWith(expectedMajor + ".");
  }
}

package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.core.ValidationMode;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.core.health.UpstreamStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a new user meets on the first day, in a plain OkHttp app: data is never lost, nothing is
 * reported that did not happen. Every case here was reproduced against the first version.
 */
class FirstContactTest {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String STREAM = "openai/test_chat_completion_streaming.json";
  private static final String GZIP_CHAT =
      "openai/mirascope__test_caching_system_message__openai_gpt_4o_completions.json";
  private static final String GZIP_GEMINI = "gemini/test_client_spans.json";

  private final MockWebServer server = new MockWebServer();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private LlmMetricsInterceptor interceptor;

  @BeforeEach
  void start() throws IOException {
    server.start();
    interceptor = LlmMetricsInterceptor.builder().registry(registry).build();
  }

  @AfterEach
  void stop() throws IOException {
    server.shutdown();
  }

  private OkHttpClient.Builder client() {
    return new OkHttpClient.Builder().dns(Fixture.LOOPBACK).readTimeout(5, TimeUnit.SECONDS);
  }

  private Scrape scrape() {
    return Scrape.of(registry);
  }

  private long calls(String errorType) {
    return scrape().histogramCount("gen_ai_client_operation_duration_seconds",
        "error_type", errorType);
  }

  private double tokens(String type) {
    return scrape().counter("gen_ai_client_tokens", "gen_ai_token_type", type);
  }

  private double instrumentationErrors() {
    return scrape().counter("gen_ai_client_instrumentation_errors");
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  // --- Item 1: the client_java modules a Micrometer / Spring Boot host brings ---------------

  @Test
  void tracerModulesArePresentOrAbsentAsThisTestExecutionTargets() {
    boolean expectAbsent = "absent".equals(System.getProperty("llmpulse.expectedTracer"));
    boolean present;
    try {
      Class.forName("io.prometheus.metrics.tracer.initializer.SpanContextSupplier");
      present = true;
    } catch (ClassNotFoundException e) {
      present = false;
    }
    assertThat(present).isEqualTo(!expectAbsent);
  }

  @Test
  void streamedCallRecordsEveryHistogramWithOrWithoutTheTracerModules() throws IOException {
    Fixture.Interaction recorded = Fixture.load(STREAM).first();
    server.enqueue(recorded.mockResponse());
    OkHttpClient http = client().addInterceptor(interceptor).build();
    try (Response response = http.newCall(recorded.request(server)).execute()) {
      response.body().string();
    }
    assertThat(instrumentationErrors()).isZero();
    assertThat(tokens("input")).isEqualTo(12);
    assertThat(tokens("output")).isEqualTo(5);
    assertThat(scrape().histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .isEqualTo(1);
    assertThat(scrape().histogramCount("gen_ai_client_token_usage")).isEqualTo(2);
    assertThat(scrape().counter("gen_ai_client_finish_reasons",
        "gen_ai_response_finish_reason", "stop")).isEqualTo(1);
  }

  // --- Item 3: timeouts are timeouts, only the app's own cancel is canceled -----------------

  @Test
  void callTimeoutBeforeTheAnswerIsTimeoutAndAFailureForHealth() {
    server.enqueue(new MockResponse().setHeadersDelay(4, TimeUnit.SECONDS)
        .setHeader("Content-Type", "application/json").setBody("{}"));
    OkHttpClient http = client().addInterceptor(interceptor)
        .callTimeout(1, TimeUnit.SECONDS).build();
    assertThatThrownBy(() -> http.newCall(chat()).execute())
        .isInstanceOf(InterruptedIOException.class);
    assertThat(calls("timeout")).isEqualTo(1);
    assertThat(calls("canceled")).isZero();
    UpstreamStatus upstream = interceptor.health().upstreams().get(0);
    assertThat(upstream.consecutiveFailures()).isEqualTo(1);
    assertThat(upstream.inFlight()).isZero();
  }

  @Test
  void callTimeoutInTheMiddleOfAStreamIsTimeout() throws IOException {
    String body = "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":"
        + "{\"content\":\"Hel\"}}]}\n\n";
    server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
        .setBody(body + body + body + "data: [DONE]\n\n")
        .throttleBody(body.length(), 1, TimeUnit.SECONDS));
    OkHttpClient http = client().addInterceptor(interceptor)
        .callTimeout(1500, TimeUnit.MILLISECONDS).build();
    try (Response response = http.newCall(streamingChat()).execute()) {
      assertThatThrownBy(() -> response.body().string()).isInstanceOf(IOException.class);
    }
    assertThat(calls("timeout")).isEqualTo(1);
    assertThat(calls("canceled")).isZero();
    assertThat(scrape().gauge("gen_ai_client_requests_in_flight")).isZero();
  }

  @Test
  void theApplicationsOwnCancelStaysCanceledAndIsNotAFailure() throws Exception {
    String body = "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":"
        + "{\"content\":\"Hel\"}}]}\n\n";
    server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
        .setBody(body + body + "data: [DONE]\n\n")
        .throttleBody(body.length(), 1, TimeUnit.SECONDS));
    OkHttpClient http = client().addInterceptor(interceptor).build();
    okhttp3.Call call = http.newCall(streamingChat());
    try (Response response = call.execute()) {
      response.body().source().request(1);
      call.cancel();
      assertThatThrownBy(() -> response.body().string()).isInstanceOf(IOException.class);
    }
    assertThat(calls("canceled")).isEqualTo(1);
    assertThat(calls("timeout")).isZero();
    assertThat(interceptor.health().upstreams().get(0).consecutiveFailures()).isZero();
  }

  @Test
  void anErrorAnswerToAStreamClosedUnreadIsItsStatusNotACancel() throws IOException {
    // What a retrying client does with a 429 or 529: close the body without reading it.
    Fixture.Interaction recorded = Fixture.load(
        "openai/chat_real_error_scenarios_openai_gpt-5-nano_handles_context_length_exceeded_errors.json")
        .first();
    server.enqueue(recorded.mockResponse());
    OkHttpClient http = client().addInterceptor(interceptor).build();
    try (Response response = http.newCall(streamingChat()).execute()) {
      assertThat(response.code()).isEqualTo(429);
    }
    assertThat(calls("429")).isEqualTo(1);
    assertThat(calls("canceled")).isZero();
  }

  // --- Item 4: compressed bodies ----------------------------------------------------------

  @Test
  void gzipAnswerTheAppAskedForItselfIsReadExactly() throws IOException {
    Fixture fixture = Fixture.load(GZIP_CHAT);
    OkHttpClient http = client().addInterceptor(interceptor).build();
    for (Fixture.Interaction recorded : fixture.interactions) {
      server.enqueue(recorded.mockResponse()); // the recorded gzip bytes, Content-Encoding: gzip
      Request request = recorded.request(server).newBuilder()
          .header("Accept-Encoding", "gzip").build(); // so OkHttp does not decode it
      try (Response response = http.newCall(request).execute();
          GZIPInputStream in = new GZIPInputStream(response.body().byteStream())) {
        assertThat(readAll(in)).contains("\"usage\"");
      }
    }
    assertThat(scrape().counter("gen_ai_client_invalid_responses")).isZero();
    assertThat(calls("")).isEqualTo(2);
    assertThat(tokens("input")).isEqualTo(3659 + 3663);
    assertThat(tokens("output")).isEqualTo(28 + 117);
    assertThat(tokens("cache_read")).isEqualTo(3584);
    assertThat(scrape().counter("gen_ai_client_finish_reasons",
        "gen_ai_response_finish_reason", "stop")).isEqualTo(2);
  }

  @Test
  void gzipInputStreamThatStopsAtTheTrailerAndClosesStillCountsTheAnswer() throws IOException {
    // GZIPInputStream stops reading at the end of the gzip member: the app closes the body
    // without ever reading EOF from it. The answer was complete, so it counts in full.
    Fixture.Interaction recorded = Fixture.load(GZIP_GEMINI).first();
    server.enqueue(recorded.mockResponse()); // the recorded gzip bytes
    OkHttpClient http = client().addInterceptor(interceptor).build();
    Request request = recorded.request(server).newBuilder()
        .header("Accept-Encoding", "gzip").build();
    try (Response response = http.newCall(request).execute()) {
      GZIPInputStream in = new GZIPInputStream(response.body().byteStream());
      byte[] buffer = new byte[512];
      while (in.read(buffer) != -1) {
        // read the answer to its end, as an app does
      }
    }
    assertThat(calls("")).isEqualTo(1);
    assertThat(tokens("input")).isEqualTo(5);
    assertThat(tokens("output")).isEqualTo(877 + 1058);
    assertThat(tokens("reasoning")).isEqualTo(1058);
    assertThat(scrape().counter("gen_ai_client_invalid_responses")).isZero();
  }

  @Test
  void asANetworkInterceptorItReadsTheGzipOkHttpDecodesForTheApp() throws IOException {
    Fixture.Interaction recorded = Fixture.load(GZIP_GEMINI).first();
    server.enqueue(recorded.mockResponse());
    OkHttpClient http = client().addNetworkInterceptor(interceptor).build();
    try (Response response = http.newCall(recorded.request(server)).execute()) {
      assertThat(response.body().string()).isEqualTo(
          new String(recorded.decodedBody(), StandardCharsets.UTF_8));
    }
    assertThat(calls("")).isEqualTo(1);
    assertThat(tokens("output")).isEqualTo(877 + 1058);
    assertThat(scrape().counter("gen_ai_client_invalid_responses")).isZero();
  }

  @Test
  void gzipStreamIsTeedEventByEventAndEndsWithItsTerminator() throws IOException {
    Fixture.Interaction recorded = Fixture.load(STREAM).first();
    server.enqueue(recorded.mockResponse().setHeader("Content-Encoding", "gzip")
        .setBody(new Buffer().write(gzip(recorded.responseBody))));
    OkHttpClient http = client().addInterceptor(interceptor).build();
    Request request = recorded.request(server).newBuilder()
        .header("Accept-Encoding", "gzip").build();
    try (Response response = http.newCall(request).execute();
        GZIPInputStream in = new GZIPInputStream(response.body().byteStream())) {
      assertThat(readAll(in)).endsWith("data: [DONE]\n\n");
    }
    assertThat(calls("")).isEqualTo(1);
    assertThat(tokens("input")).isEqualTo(12);
    assertThat(tokens("output")).isEqualTo(5);
    assertThat(scrape().histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds"))
        .isEqualTo(1);
  }

  @Test
  void deflateAnswerIsReadExactly() throws IOException {
    Fixture.Interaction recorded = Fixture.load(GZIP_GEMINI).first();
    ByteArrayOutputStream deflated = new ByteArrayOutputStream();
    try (DeflaterOutputStream out = new DeflaterOutputStream(deflated, new Deflater())) {
      out.write(recorded.decodedBody());
    }
    server.enqueue(recorded.mockResponse().setHeader("Content-Encoding", "deflate")
        .setBody(new Buffer().write(deflated.toByteArray())));
    OkHttpClient http = client().addInterceptor(interceptor).build();
    Request request = recorded.request(server).newBuilder()
        .header("Accept-Encoding", "deflate").build();
    try (Response response = http.newCall(request).execute()) {
      response.body().bytes();
    }
    assertThat(tokens("output")).isEqualTo(877 + 1058);
    assertThat(scrape().counter("gen_ai_client_invalid_responses")).isZero();
  }

  @Test
  void enforceModeLetsAGoodGzipAnswerThrough() throws IOException {
    LlmMetricsInterceptor enforcing = LlmMetricsInterceptor.builder().registry(registry)
        .validation(ValidationMode.ENFORCE).build();
    Fixture.Interaction recorded = Fixture.load(GZIP_CHAT).first();
    server.enqueue(recorded.mockResponse());
    OkHttpClient http = client().addInterceptor(enforcing).build();
    Request request = recorded.request(server).newBuilder()
        .header("Accept-Encoding", "gzip").build();
    try (Response response = http.newCall(request).execute();
        GZIPInputStream in = new GZIPInputStream(response.body().byteStream())) {
      assertThat(readAll(in)).contains("gpt-4o-2024-08-06");
    }
    assertThat(tokens("input")).isEqualTo(3659);
  }

  @Test
  void anEncodingItCannotDecodeIsNamedAndNeverAGhostSuccess() throws IOException {
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
        .setHeader("Content-Encoding", "br")
        .setBody(new Buffer().write(new byte[] {0x1b, 0x2f, 0x00, (byte) 0xf8, 0x25, 0x02})));
    OkHttpClient http = client().addInterceptor(interceptor).build();
    Request request = chat().newBuilder().header("Accept-Encoding", "br").build();
    try (Response response = http.newCall(request).execute()) {
      response.body().bytes();
    }
    assertThat(calls("")).isEqualTo(1);
    assertThat(scrape().counter("gen_ai_client_invalid_responses")).isZero();
    assertThat(scrape().counter("gen_ai_client_unparsed_responses",
        "reason", "unsupported_encoding")).isEqualTo(1);
  }

  @Test
  void corruptGzipIsNamedNotJudged() throws IOException {
    byte[] broken = gzip("{\"choices\":[]}".getBytes(StandardCharsets.UTF_8));
    for (int i = 12; i < broken.length - 8; i++) broken[i] ^= 0x5a;
    server.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
        .setHeader("Content-Encoding", "gzip").setBody(new Buffer().write(broken)));
    OkHttpClient http = client().addInterceptor(interceptor).build();
    Request request = chat().newBuilder().header("Accept-Encoding", "gzip").build();
    try (Response response = http.newCall(request).execute()) {
      response.body().bytes();
    }
    assertThat(scrape().counter("gen_ai_client_invalid_responses")).isZero();
    assertThat(scrape().counter("gen_ai_client_unparsed_responses",
        "reason", "corrupt_encoding")).isEqualTo(1);
  }

  // --- Item 5: only LLM calls are recorded ------------------------------------------------

  @Test
  void nonLlmTrafficOnTheSameClientIsNeitherRecordedNorTouched() throws Exception {
    OkHttpClient http = client().addInterceptor(interceptor).build();
    server.enqueue(new MockResponse().setBody("ok"));
    server.enqueue(new MockResponse().setResponseCode(201).setBody("{\"order\":1}"));
    server.enqueue(new MockResponse().setResponseCode(404).setBody("not here"));
    server.enqueue(new MockResponse().setBody("{\"data\":[{\"id\":\"gpt-4o\"}]}"));
    Request[] requests = {
        new Request.Builder().url(server.url("/health")).build(),
        new Request.Builder().url(server.url("/api/orders"))
            .post(RequestBody.create("{\"sku\":\"A1\"}", JSON)).build(),
        new Request.Builder().url(server.url("/api/nothing"))
            .post(RequestBody.create("{}", JSON)).build(),
        new Request.Builder().url(server.url("/v1/models")).build()};
    String[] bodies = {"ok", "{\"order\":1}", "not here", "{\"data\":[{\"id\":\"gpt-4o\"}]}"};
    for (int i = 0; i < requests.length; i++) {
      try (Response response = http.newCall(requests[i]).execute()) {
        assertThat(response.body().string()).isEqualTo(bodies[i]);
      }
    }
    assertThat(scrape().series("gen_ai_client_operation_duration_seconds")).isEmpty();
    assertThat(scrape().series("gen_ai_client_requests_in_flight")).isEmpty();
    assertThat(interceptor.health().upstreams()).isEmpty();
  }

  @Test
  void aGatewayPathIsRecordedOnceMappedToItsWireFormat() throws IOException {
    LlmMetricsInterceptor mapped = LlmMetricsInterceptor.builder().registry(registry)
        .apiPath("/gateway/v2/generate", WireFormat.OPENAI_CHAT).build();
    Fixture.Interaction recorded = Fixture.load(STREAM).first();
    server.enqueue(recorded.mockResponse());
    OkHttpClient http = client().addInterceptor(mapped).build();
    Request request = recorded.request(server).newBuilder()
        .url(server.url("/team-a/gateway/v2/generate?tenant=x")).build();
    try (Response response = http.newCall(request).execute()) {
      response.body().string();
    }
    assertThat(scrape().histogramCount("gen_ai_client_operation_duration_seconds",
        "gen_ai_operation_name", "chat", "gen_ai_request_model", "gpt-4")).isEqualTo(1);
    assertThat(tokens("output")).isEqualTo(5);
  }

  @Test
  void apiPathRejectsBlankPathsAndUnknownFormats() {
    assertThatThrownBy(() -> LlmMetricsInterceptor.builder().apiPath(" ", WireFormat.OPENAI_CHAT))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
    assertThatThrownBy(() -> LlmMetricsInterceptor.builder().apiPath("/x", WireFormat.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UNKNOWN");
  }

  // --- Item 6: one call, one record per registry ------------------------------------------

  @Test
  void theSameInterceptorAddedTwiceRecordsTheCallOnce() throws IOException {
    OkHttpClient base = client().addInterceptor(interceptor).build();
    OkHttpClient twice = base.newBuilder().addInterceptor(interceptor).build();
    Fixture.Interaction recorded = Fixture.load(STREAM).first();
    server.enqueue(recorded.mockResponse());
    try (Response response = twice.newCall(recorded.request(server)).execute()) {
      response.body().string();
    }
    assertThat(calls("")).isEqualTo(1);
    assertThat(tokens("output")).isEqualTo(5);
    assertThat(scrape().counter("gen_ai_client_finish_reasons",
        "gen_ai_response_finish_reason", "stop")).isEqualTo(1);
  }

  @Test
  void anApplicationAndANetworkInterceptorOnOneRegistryRecordOnce() throws IOException {
    LlmMetricsInterceptor other = LlmMetricsInterceptor.builder().registry(registry).build();
    OkHttpClient http = client().addInterceptor(interceptor).addNetworkInterceptor(other).build();
    Fixture.Interaction recorded = Fixture.load(GZIP_GEMINI).first();
    server.enqueue(recorded.mockResponse());
    try (Response response = http.newCall(recorded.request(server)).execute()) {
      response.body().string();
    }
    assertThat(calls("")).isEqualTo(1);
    assertThat(tokens("output")).isEqualTo(877 + 1058);
  }

  @Test
  void interceptorsOnTwoRegistriesEachRecordTheCall() throws IOException {
    PrometheusRegistry second = new PrometheusRegistry();
    OkHttpClient http = client().addInterceptor(interceptor)
        .addInterceptor(LlmMetricsInterceptor.builder().registry(second).build()).build();
    Fixture.Interaction recorded = Fixture.load(STREAM).first();
    server.enqueue(recorded.mockResponse());
    try (Response response = http.newCall(recorded.request(server)).execute()) {
      response.body().string();
    }
    assertThat(tokens("output")).isEqualTo(5);
    assertThat(Scrape.of(second).counter("gen_ai_client_tokens", "gen_ai_token_type", "output"))
        .isEqualTo(5);
  }

  // --- Item 7: clear errors ---------------------------------------------------------------

  @Test
  void aRegistryThatAlreadyHasOneOfOurNamesFailsAtBuildWithAMessageThatSaysWhatToDo() {
    PrometheusRegistry taken = new PrometheusRegistry();
    Counter.builder().name("gen_ai_client_tokens").help("someone else's tokens")
        .labelNames("model").register(taken);
    assertThatThrownBy(() -> LlmMetricsInterceptor.builder().registry(taken).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("LLM Pulse")
        .hasMessageContaining("gen_ai_client_tokens")
        .hasMessageContaining("own PrometheusRegistry");
    // Nothing of ours was left half-registered: the other metric is still the only one.
    assertThat(taken.scrape().size()).isEqualTo(1);
  }

  @Test
  void blankHostOrProviderNamesAreRejected() {
    assertThatThrownBy(() -> LlmMetricsInterceptor.builder().provider("  ", "gw"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host is blank");
    assertThatThrownBy(() -> LlmMetricsInterceptor.builder().provider("gw.example.com", " \t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
  }

  private Request chat() {
    return new Request.Builder().url(server.url("/v1/chat/completions"))
        .post(RequestBody.create("{\"model\":\"gpt-4o\",\"messages\":[]}", JSON)).build();
  }

  private Request streamingChat() {
    return new Request.Builder().url(server.url("/v1/chat/completions"))
        .post(RequestBody.create("{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}", JSON))
        .build();
  }
}

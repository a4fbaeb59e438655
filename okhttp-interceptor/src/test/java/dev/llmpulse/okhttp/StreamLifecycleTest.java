package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;
import okio.Pipe;
import org.junit.jupiter.api.Test;

/** Streams: chunk-by-chunk delivery, timing per chunk, and the ways a stream ends early. */
class StreamLifecycleTest {
  private static final String CHAT = "https://api.openai.com/v1/chat/completions";
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final AtomicLong nanos = new AtomicLong();

  private LlmMetricsInterceptor interceptor() {
    return LlmMetricsInterceptor.builder().registry(registry).prices(CostModel.NONE).clock(nanos::get).build();
  }

  private static String chunk(String content) {
    return "data: {\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        + content + "\"},\"finish_reason\":null}]}\n\n";
  }

  @Test
  void eachEventReachesTheAppBeforeTheNextIsSentAndIsTimedWhenItArrives() {
    Pipe pipe = new Pipe(64 * 1024);
    BufferedSink upstream = Okio.buffer(pipe.sink());
    OkHttpClient client = InProcess.client(interceptor(), chain -> new Response.Builder()
        .request(chain.request()).protocol(Protocol.HTTP_1_1).code(200).message("OK")
        .header("Content-Type", "text/event-stream")
        .body(ResponseBody.create(Okio.buffer(pipe.source()), MediaType.get("text/event-stream"), -1))
        .build());

    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      try (Response response = client.newCall(InProcess.chat(CHAT, "gpt-4o-mini", true)).execute()) {
        BufferedSource app = response.body().source();
        nanos.set(100_000_000L); // the first chunk arrives 100 ms after the request started
        upstream.writeUtf8(chunk("Hel")).flush();
        assertThat(app.readUtf8Line()).contains("Hel"); // would hang if anyone read ahead
        assertThat(app.readUtf8Line()).isEmpty();

        nanos.set(250_000_000L);
        upstream.writeUtf8(chunk("lo")).flush();
        assertThat(app.readUtf8Line()).contains("lo");
        assertThat(app.readUtf8Line()).isEmpty();

        nanos.set(400_000_000L);
        upstream.writeUtf8("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n").close();
        assertThat(app.readUtf8()).endsWith("[DONE]\n\n");
      }
    });

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramSum("gen_ai_client_operation_time_to_first_chunk_seconds")).isEqualTo(0.1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds")).isEqualTo(1);
    assertThat(scrape.histogramSum("gen_ai_client_operation_time_per_output_chunk_seconds")).isEqualTo(0.15);
    assertThat(scrape.histogramSum("gen_ai_client_operation_duration_seconds", "error_type", ""))
        .as("duration ends at EOF, not at the headers").isEqualTo(0.4);
  }

  @Test
  void streamAbandonedByTheAppIsCanceledOnceWithTheUsageItSaw() throws IOException {
    Fixture.Interaction recorded = Fixture.load("anthropic/test_anthropic_message_streaming_legacy.json").first();
    OkHttpClient client = InProcess.client(interceptor(),
        InProcess.answer(200, "text/event-stream; charset=utf-8", recorded.decodedBody()));

    Response response = client.newCall(InProcess.chat("https://api.anthropic.com/v1/messages",
        "claude-3-haiku-20240307", true)).execute();
    BufferedSource app = response.body().source();
    for (int i = 0; i < 12; i++) app.readUtf8Line(); // message_start and a few deltas
    response.close();
    response.close();

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "canceled")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input"))
        .as("message_start's input usage was seen before the app left").isEqualTo(17);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).as("abandoned, not judged").isZero();
  }

  @Test
  void streamReadToItsTerminatorButNotToEofIsComplete() throws IOException {
    Fixture.Interaction recorded = Fixture.load("openai/test_chat_stream_with_include_usage_option.json").first();
    OkHttpClient client = InProcess.client(interceptor(),
        InProcess.answer(200, "text/event-stream", recorded.decodedBody()));

    try (Response response = client.newCall(InProcess.chat(CHAT, "gpt-4o-mini", true)).execute()) {
      BufferedSource app = response.body().source();
      String line;
      while ((line = app.readUtf8Line()) != null && !line.equals("data: [DONE]")) {
        // an SSE client that stops at [DONE] and closes without reading EOF
      }
    }

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(3);
  }

  @Test
  void connectionCutMidStreamIsIoErrorAndTheAppGetsItsException() throws IOException {
    MockWebServer server = new MockWebServer();
    server.start();
    try {
      StringBuilder events = new StringBuilder();
      for (int i = 0; i < 2000; i++) events.append(chunk("token" + i));
      server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
          .setBody(events.toString()).setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));
      OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor()).build();

      Response response = client.newCall(InProcess.chat(server.url("/v1/chat/completions").toString(),
          "gpt-4o-mini", true)).execute();
      assertThatThrownBy(() -> response.body().source().readUtf8()).isInstanceOf(IOException.class);
      response.close();

      Scrape scrape = Scrape.of(registry);
      assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "io_error")).isEqualTo(1);
      assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(1);
    } finally {
      server.shutdown();
    }
  }

  /** Gemini's streamGenerateContent without alt=sse: one JSON array, streamed element by element. */
  private static String geminiJsonArrayStream(int chunks) throws IOException {
    String sse = new String(Fixture.load("gemini/test_google_stream_usage_is_live_mid_stream.json").first()
        .decodedBody(), java.nio.charset.StandardCharsets.UTF_8);
    java.util.List<String> elements = new java.util.ArrayList<>();
    for (String event : sse.split("\r\n\r\n")) {
      if (event.startsWith("data: ")) elements.add(event.substring(6));
    }
    return "[" + String.join(",\r\n", elements.subList(0, chunks)) + "]";
  }

  @Test
  void geminiJsonArrayStreamIsReadChunkByChunk() throws IOException {
    String array = geminiJsonArrayStream(3);
    OkHttpClient client = InProcess.client(interceptor(),
        InProcess.answer(200, "application/json; charset=UTF-8", array.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    String url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent";

    try (Response response = client.newCall(InProcess.chat(url, "", false)).execute()) {
      assertThat(response.body().string()).isEqualTo(array);
    }

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds", "error_type", "",
        "gen_ai_request_model", "gemini-2.5-flash", "gen_ai_response_model", "gemini-2.5-flash")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "input")).isEqualTo(18);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(80 + 35);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "reasoning")).isEqualTo(35);
    assertThat(scrape.counter("gen_ai_client_finish_reasons", "gen_ai_response_finish_reason", "STOP")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_to_first_chunk_seconds")).isEqualTo(1);
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds")).isEqualTo(2);
  }

  @Test
  void geminiJsonArrayStreamWithoutItsLastChunkIsIncompleteAndCutOffIsTruncated() throws IOException {
    String url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent";
    String twoOfThree = geminiJsonArrayStream(2);
    String cut = geminiJsonArrayStream(3).substring(0, geminiJsonArrayStream(3).length() - 40);
    for (String body : new String[] {twoOfThree, cut}) {
      OkHttpClient client = InProcess.client(interceptor(),
          InProcess.answer(200, "application/json", body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      try (Response response = client.newCall(InProcess.chat(url, "", false)).execute()) {
        assertThat(response.body().string()).isEqualTo(body);
      }
    }

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.counter("gen_ai_client_invalid_responses", "reason", "stream_incomplete")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_invalid_responses", "reason", "truncated_json")).isEqualTo(1);
  }

  @Test
  void eventAboveTheParseCapIsDeliveredCountedAndSkipped() throws IOException {
    String huge = chunk("x".repeat(2 * 1024 * 1024));
    String stream = chunk("Hel") + huge + chunk("lo")
        + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}\n\ndata: [DONE]\n\n";
    OkHttpClient client = InProcess.client(interceptor(),
        InProcess.answer(200, "text/event-stream", stream.getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    try (Response response = client.newCall(InProcess.chat(CHAT, "gpt-4o-mini", true)).execute()) {
      assertThat(response.body().string()).isEqualTo(stream);
    }

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.counter("gen_ai_client_skipped_stream_events")).isEqualTo(1);
    assertThat(scrape.counter("gen_ai_client_tokens", "gen_ai_token_type", "output")).isEqualTo(3);
    assertThat(scrape.counter("gen_ai_client_invalid_responses")).isZero();
    assertThat(scrape.histogramCount("gen_ai_client_operation_time_per_output_chunk_seconds"))
        .as("the two parsed content chunks").isEqualTo(1);
  }
}

package dev.llmpulse.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/** LLM calls through a WebClient built from Boot's builder, as Spring AI 1.x streams them. */
class WebClientRecordingTest {
  private MockWebServer upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = new MockWebServer();
    upstream.start(InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stopUpstream() throws Exception {
    upstream.shutdown();
  }

  private static WebClient webClient(AssertableApplicationContext context) {
    WebClient.Builder builder = WebClient.builder()
        .clientConnector(new ReactorClientHttpConnector());
    WebClientCustomizer customizer = context.getBean(WebClientCustomizer.class);
    customizer.customize(builder);
    customizer.customize(builder); // twice on one builder: still one filter
    return builder.build();
  }

  private URI url(String path) {
    return upstream.url(path).uri();
  }

  private static byte[] bytes(DataBuffer joined) {
    byte[] out = new byte[joined.readableByteCount()];
    joined.read(out);
    DataBufferUtils.release(joined);
    return out;
  }

  @Test
  void streamIsTeedChunkByChunkAndRecorded() {
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    upstream.enqueue(fixture.response().throttleBody(256, 5, TimeUnit.MILLISECONDS));
    Contexts.withActuator().withPropertyValues("llmpulse.providers.localhost=openai")
        .run(context -> {
          DataBuffer joined = DataBufferUtils.join(webClient(context).post().uri(url(fixture.path))
              .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture.requestBody)
              .retrieve().bodyToFlux(DataBuffer.class)).block(Duration.ofSeconds(10));
          assertThat(bytes(joined)).isEqualTo(fixture.body);

          ScrapedPage page = Contexts.scrape(context);
          assertThat(page.sum("gen_ai_client_operation_duration_seconds_count",
              "gen_ai_provider_name", "openai", "gen_ai_request_model", "gpt-4o-mini",
              "error_type", "")).isEqualTo(1);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "input"))
              .isEqualTo(22);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output"))
              .isEqualTo(3);
          assertThat(page.sum("gen_ai_client_operation_time_to_first_chunk_seconds_count"))
              .isEqualTo(1);
          assertThat(page.sum("gen_ai_client_operation_time_per_output_chunk_seconds_count"))
              .isGreaterThan(0);
          assertThat(page.sum("gen_ai_client_finish_reasons_total",
              "gen_ai_response_finish_reason", "stop")).isEqualTo(1);
          assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
          assertThat(page.sum("gen_ai_client_instrumentation_errors_total")).isZero();
        });
  }

  @Test
  void streamReadAsSpringAiDoesEndsAtTheDoneEvent() {
    // Spring AI 1.x: bodyToFlux(String.class).takeUntil("[DONE]"), which cancels the body the
    // moment the terminator arrives; the JDK connector, which Boot picks without Reactor Netty.
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    upstream.enqueue(fixture.response());
    Contexts.withActuator().run(context -> {
      WebClient.Builder builder = WebClient.builder()
          .clientConnector(new org.springframework.http.client.reactive.JdkClientHttpConnector());
      context.getBean(WebClientCustomizer.class).customize(builder);
      java.util.List<String> events = builder.build().post().uri(url(fixture.path))
          .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture.requestBody)
          .retrieve().bodyToFlux(String.class).takeUntil("[DONE]"::equals)
          .collectList().block(Duration.ofSeconds(10));
      assertThat(events).last().isEqualTo("[DONE]");
      ScrapedPage page = Contexts.scrape(context);
      assertThat(page.sum("gen_ai_client_operation_duration_seconds_count", "error_type", ""))
          .isEqualTo(1);
      assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output"))
          .isEqualTo(3);
    });
  }

  @Test
  void wholeAnswerIsRecorded() {
    Fixture fixture = Fixture.load("openai/test_chat_completion_with_content.json");
    upstream.enqueue(fixture.response());
    Contexts.withActuator().run(context -> {
      String answer = webClient(context).post().uri(url(fixture.path))
          .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture.requestBody)
          .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
      assertThat(answer).isEqualTo(new String(fixture.body, "UTF-8"));
      ScrapedPage page = Contexts.scrape(context);
      assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_request_model", "gpt-4o-mini",
          "gen_ai_token_type", "input")).isEqualTo(12);
      assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output"))
          .isEqualTo(5);
      assertThat(page.samples("gen_ai_client_operation_time_to_first_chunk_seconds_count"))
          .isEmpty();
    });
  }

  @Test
  void anthropicStreamIsRecorded() {
    Fixture fixture = Fixture.load("anthropic/test_anthropic_message_streaming_legacy.json");
    upstream.enqueue(fixture.response());
    Contexts.withActuator().withPropertyValues("llmpulse.providers.localhost=anthropic")
        .run(context -> {
          webClient(context).post().uri(url(fixture.path))
              .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture.requestBody)
              .retrieve().bodyToFlux(String.class).blockLast(Duration.ofSeconds(10));
          ScrapedPage page = Contexts.scrape(context);
          assertThat(page.sum("gen_ai_client_finish_reasons_total", "gen_ai_provider_name",
              "anthropic", "gen_ai_request_model", "claude-3-haiku-20240307",
              "gen_ai_response_finish_reason", "end_turn")).isEqualTo(1);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output"))
              .isEqualTo(171);
        });
  }

  @Test
  void streamCanceledByTheAppIsCanceled() {
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    upstream.enqueue(fixture.response().throttleBody(64, 50, TimeUnit.MILLISECONDS));
    Contexts.withActuator().run(context -> {
      webClient(context).post().uri(url(fixture.path))
          .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture.requestBody)
          .retrieve().bodyToFlux(DataBuffer.class).take(1).doOnNext(DataBufferUtils::release)
          .blockLast(Duration.ofSeconds(10));
      ScrapedPage page = Contexts.scrape(context);
      assertThat(page.sum("gen_ai_client_operation_duration_seconds_count",
          "error_type", "canceled")).isEqualTo(1);
      assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
    });
  }

  @Test
  void refusedConnectionIsAConnectError() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI refused = URI.create("http://127.0.0.1:" + closedPort + "/v1/chat/completions");
    Contexts.withActuator().run(context -> {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> webClient(context).post()
          .uri(refused).contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"model\":\"gpt-4o-mini\"}").retrieve().bodyToMono(String.class)
          .block(Duration.ofSeconds(10)))
          .isInstanceOf(org.springframework.web.reactive.function.client
              .WebClientRequestException.class);
      ScrapedPage page = Contexts.scrape(context);
      // No connection, so the request body was never written: the model is not known.
      assertThat(page.sum("gen_ai_client_operation_duration_seconds_count",
          "error_type", "connect_error", "server_address", "127.0.0.1")).isEqualTo(1);
      assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
    });
  }

  @Test
  void otherCallsOfTheAppAreNotRecorded() {
    upstream.enqueue(new MockResponse().setBody("ok"));
    upstream.enqueue(new MockResponse().setBody("{}"));
    Contexts.withActuator().run(context -> {
      WebClient client = webClient(context);
      client.get().uri(url("/health")).retrieve().bodyToMono(String.class).block();
      client.post().uri(url("/api/orders")).contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"model\":\"gpt-4o\"}").retrieve().bodyToMono(String.class).block();
      assertThat(Contexts.scrape(context).samples("gen_ai_client_operation_duration_seconds_count"))
          .isEmpty();
    });
  }
}

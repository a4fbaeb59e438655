package dev.llmpulse.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** LLM calls through a RestClient built from Boot's builder, as Spring AI 1.x makes them. */
class RestClientRecordingTest {
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

  private static RestClient restClient(AssertableApplicationContext context) {
    RestClient.Builder builder = RestClient.builder()
        .requestFactory(new JdkClientHttpRequestFactory());
    RestClientCustomizer customizer = context.getBean(RestClientCustomizer.class);
    customizer.customize(builder);
    customizer.customize(builder); // twice on one builder: still one interceptor
    return builder.build();
  }

  private URI url(String path) {
    return upstream.url(path).uri();
  }

  @Test
  void wholeAnswerIsRecordedAndReachesTheAppUnchanged() {
    Fixture fixture = Fixture.load("openai/test_chat_completion_with_content.json");
    upstream.enqueue(fixture.response());
    Contexts.withActuator().withPropertyValues("llmpulse.providers.localhost=openai")
        .run(context -> {
          String answer = restClient(context).post().uri(url(fixture.path))
              .contentType(MediaType.APPLICATION_JSON).body(fixture.requestBody)
              .retrieve().body(String.class);
          assertThat(answer).isEqualTo(new String(fixture.body, "UTF-8"));

          ScrapedPage page = Contexts.scrape(context);
          assertThat(page.sum("gen_ai_client_operation_duration_seconds_count",
              "gen_ai_provider_name", "openai", "gen_ai_request_model", "gpt-4o-mini",
              "gen_ai_response_model", "gpt-4o-mini-2024-07-18", "error_type", "")).isEqualTo(1);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "input"))
              .isEqualTo(12);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output"))
              .isEqualTo(5);
          assertThat(page.sum("gen_ai_client_finish_reasons_total",
              "gen_ai_response_finish_reason", "stop")).isEqualTo(1);
          assertThat(page.sum("gen_ai_client_cost_usd_total")).isEqualTo(12 * 0.15e-6 + 5 * 0.6e-6,
              org.assertj.core.data.Offset.offset(1e-12));
          assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
          assertThat(page.sum("gen_ai_client_instrumentation_errors_total")).isZero();
        });
  }

  @Test
  void streamReadPieceByPieceIsRecordedWithTimeToFirstChunk() {
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    upstream.enqueue(fixture.response().throttleBody(256, 5, TimeUnit.MILLISECONDS));
    Contexts.withActuator().withPropertyValues("llmpulse.providers.localhost=openai")
        .run(context -> {
          byte[] read = restClient(context).post().uri(url(fixture.path))
              .contentType(MediaType.APPLICATION_JSON).body(fixture.requestBody)
              .exchange((request, response) -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (InputStream in = response.getBody()) {
                  byte[] piece = new byte[100];
                  for (int n; (n = in.read(piece)) != -1; ) out.write(piece, 0, n);
                }
                return out.toByteArray();
              });
          assertThat(read).isEqualTo(fixture.body);

          ScrapedPage page = Contexts.scrape(context);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_request_model",
              "gpt-4o-mini", "gen_ai_token_type", "input")).isEqualTo(22);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output"))
              .isEqualTo(3);
          assertThat(page.sum("gen_ai_client_operation_time_to_first_chunk_seconds_count"))
              .isEqualTo(1);
          assertThat(page.sum("gen_ai_client_finish_reasons_total",
              "gen_ai_response_finish_reason", "stop")).isEqualTo(1);
          assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
        });
  }

  @Test
  void streamClosedEarlyIsCanceled() {
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    upstream.enqueue(fixture.response().throttleBody(64, 20, TimeUnit.MILLISECONDS));
    Contexts.withActuator().run(context -> {
      restClient(context).post().uri(url(fixture.path))
          .contentType(MediaType.APPLICATION_JSON).body(fixture.requestBody)
          .exchange((request, response) -> {
            InputStream in = response.getBody();
            in.read(new byte[10]);
            return null; // the exchange closes the response: the app stopped reading
          });
      ScrapedPage page = Contexts.scrape(context);
      assertThat(page.sum("gen_ai_client_operation_duration_seconds_count",
          "error_type", "canceled")).isEqualTo(1);
      assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
    });
  }

  @Test
  void otherCallsOfTheAppAreNotRecorded() {
    upstream.enqueue(new MockResponse().setBody("ok"));
    upstream.enqueue(new MockResponse().setBody("{\"id\":1}"));
    upstream.enqueue(new MockResponse().setBody("{\"data\":[]}"));
    Contexts.withActuator().run(context -> {
      RestClient client = restClient(context);
      client.get().uri(url("/health")).retrieve().body(String.class);
      client.post().uri(url("/api/orders")).contentType(MediaType.APPLICATION_JSON)
          .body("{\"model\":\"gpt-4o\"}").retrieve().body(String.class);
      client.get().uri(url("/v1/models")).retrieve().body(String.class);
      assertThat(Contexts.scrape(context).samples("gen_ai_client_operation_duration_seconds_count"))
          .isEmpty();
    });
  }

  @Test
  void refusedConnectionIsAConnectError() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI refused = URI.create("http://127.0.0.1:" + closedPort + "/v1/chat/completions");
    Contexts.withActuator().run(context -> {
      assertThatThrownBy(() -> restClient(context).post().uri(refused)
          .contentType(MediaType.APPLICATION_JSON).body("{\"model\":\"gpt-4o-mini\"}")
          .retrieve().body(String.class))
          .isInstanceOf(org.springframework.web.client.ResourceAccessException.class);
      assertThat(Contexts.scrape(context).sum("gen_ai_client_operation_duration_seconds_count",
          "error_type", "connect_error", "gen_ai_request_model", "gpt-4o-mini")).isEqualTo(1);
    });
  }
}

package dev.llmpulse.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.core.InvalidLlmResponseException;
import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import java.net.InetAddress;
import java.time.Duration;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.client.RestClientCustomizer;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * {@code llmpulse.validation=enforce}: an HTTP 200 that is no usable answer fails the
 * application's call with {@link InvalidLlmResponseException}, on RestClient and WebClient too;
 * OBSERVE (the default) only counts it.
 */
class EnforceModeTest {
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

  @Test
  void truncatedAnswerFailsTheRestClientCall() {
    Fixture fixture = Fixture.load("openai/test_chat_completion_with_content.json");
    upstream.enqueue(fixture.responseCutAt(fixture.indexOf("\"usage\"")));
    Contexts.withActuator().withPropertyValues("llmpulse.validation=enforce").run(context -> {
      RestClient.Builder builder = RestClient.builder()
          .requestFactory(new JdkClientHttpRequestFactory());
      context.getBean(RestClientCustomizer.class).customize(builder);
      assertThatThrownBy(() -> builder.build().post().uri(upstream.url(fixture.path).uri())
          .contentType(MediaType.APPLICATION_JSON).body(fixture.requestBody)
          .retrieve().body(String.class))
          .hasRootCauseInstanceOf(InvalidLlmResponseException.class);
      ScrapedPage page = Contexts.scrape(context);
      assertThat(page.sum("gen_ai_client_invalid_responses_total", "reason", "truncated_json"))
          .isEqualTo(1);
      assertThat(page.sum("gen_ai_client_operation_duration_seconds_count",
          "error_type", "invalid_response")).isEqualTo(1);
    });
  }

  @Test
  void truncatedAnswerIsOnlyCountedWhenObserving() {
    Fixture fixture = Fixture.load("openai/test_chat_completion_with_content.json");
    int cut = fixture.indexOf("\"usage\"");
    upstream.enqueue(fixture.responseCutAt(cut));
    Contexts.withActuator().run(context -> {
      RestClient.Builder builder = RestClient.builder()
          .requestFactory(new JdkClientHttpRequestFactory());
      context.getBean(RestClientCustomizer.class).customize(builder);
      String body = builder.build().post().uri(upstream.url(fixture.path).uri())
          .contentType(MediaType.APPLICATION_JSON).body(fixture.requestBody)
          .retrieve().body(String.class);
      assertThat(body).hasSize(cut);
      assertThat(Contexts.scrape(context).sum("gen_ai_client_invalid_responses_total",
          "reason", "truncated_json")).isEqualTo(1);
    });
  }

  @Test
  void streamWithoutItsEndFailsTheWebClientFlux() {
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    upstream.enqueue(fixture.responseCutAt(fixture.indexOf("data: [DONE]")));
    Contexts.withActuator().withPropertyValues("llmpulse.validation=enforce").run(context -> {
      WebClient.Builder builder = WebClient.builder()
          .clientConnector(new ReactorClientHttpConnector());
      context.getBean(WebClientCustomizer.class).customize(builder);
      assertThatThrownBy(() -> builder.build().post().uri(upstream.url(fixture.path).uri())
          .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture.requestBody)
          .retrieve().bodyToFlux(String.class).blockLast(Duration.ofSeconds(10)))
          .hasRootCauseInstanceOf(InvalidLlmResponseException.class);
      ScrapedPage page = Contexts.scrape(context);
      assertThat(page.sum("gen_ai_client_invalid_responses_total", "reason",
          "stream_incomplete")).isEqualTo(1);
      assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
    });
  }
}

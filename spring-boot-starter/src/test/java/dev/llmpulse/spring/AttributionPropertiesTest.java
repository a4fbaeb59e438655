package dev.llmpulse.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import java.net.InetAddress;
import java.time.Duration;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.reactive.function.client.WebClientCustomizer;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * llmpulse.attribution.* declares the keys once for every client the starter instruments; a
 * WebClient call carries its values in a request attribute, a bad key fails startup by name.
 */
class AttributionPropertiesTest {
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
  void webClientCallsCarryTheirFeatureAsARequestAttribute() {
    Fixture fixture = Fixture.load("openai/test_chat_stream_with_include_usage_option.json");
    upstream.enqueue(fixture.response());
    upstream.enqueue(fixture.response());
    Contexts.withActuator()
        .withPropertyValues("llmpulse.providers.localhost=openai",
            "llmpulse.attribution.feature.allow=refunds,order_status")
        .run(context -> {
          WebClient.Builder builder = WebClient.builder()
              .clientConnector(new ReactorClientHttpConnector());
          context.getBean(WebClientCustomizer.class).customize(builder);
          WebClient client = builder.build();
          for (String feature : new String[] {"refunds", "free text from a user"}) {
            client.post().uri(upstream.url(fixture.path).uri())
                .attribute(Attribution.Tags.class.getName(), Attribution.tags("feature", feature))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(fixture.requestBody)
                .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(10));
          }

          ScrapedPage page = Contexts.scrape(context);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output",
              "feature", "refunds")).isEqualTo(3);
          assertThat(page.sum("gen_ai_client_tokens_total", "gen_ai_token_type", "output",
              "feature", "_OTHER")).as("a value off the allow-list").isEqualTo(3);
          assertThat(page.sum("gen_ai_client_calls_total", "feature", "refunds")).isEqualTo(1);
        });
  }

  @Test
  void aBadAttributionKeyFailsStartupNamingTheProperty() {
    Contexts.withActuator()
        .withPropertyValues("llmpulse.attribution.gen_ai_feature.max-values=10")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("llmpulse.attribution.gen_ai_feature"));
    Contexts.withActuator()
        .withPropertyValues("llmpulse.attribution.feature.max-values=0")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("llmpulse.attribution.feature.max-values"));
  }
}

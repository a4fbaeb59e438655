package dev.llmpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo's scrape, its scenario switch, and the shared-registry example. Seconds, no tools. */
class DemoBotTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void scrapeHasCallsTokensCostAndRateLimitsAndScenarioSwitchesOverHttp() throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    DemoBot.Options options = DemoBot.Options.parse("--port=0", "--rate=20", "--stdin=false",
        "--quiet=true");
    options.baseUrl = null;
    try (DemoBot bot = DemoBot.start(options)) {
      String base = "http://127.0.0.1:" + bot.metricsPort();
      Thread.sleep(2500);
      String scrape = get(base + "/metrics");
      assertThat(scrape)
          .contains("gen_ai_client_operation_duration_seconds_bucket{error_type=\"\",gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o-mini\"")
          .contains("gen_ai_provider_name=\"anthropic\"")
          .contains("gen_ai_client_cost_usd_total")
          .contains("gen_ai_client_tokens_total")
          .contains("gen_ai_client_rate_limit_remaining")
          .contains("gen_ai_client_operation_time_to_first_chunk_seconds_bucket")
          .doesNotContain("gen_ai_client_unpriced_operations_total{");
      // Every call is tagged with its flow and shop: spend per feature and tenant has data, and
      // nothing was dropped (the flows are the allow-list, three shops are under the cap).
      assertThat(scrape).containsPattern("gen_ai_client_cost_usd_total\\{[^}]*feature=\"refunds\"")
          .containsPattern("gen_ai_client_calls_total\\{[^}]*feature=\"order_status\"[^}]*tenant=\"shoes-eu\"")
          .containsPattern("gen_ai_client_tokens_total\\{[^}]*feature=\"product_info\"")
          .doesNotContain("gen_ai_client_attribution_dropped_total{");

      HttpResponse<String> switched = http.send(HttpRequest.newBuilder(
          URI.create(base + "/scenario/outage")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(switched.statusCode()).isEqualTo(200);
      assertThat(switched.body()).startsWith("phase=outage");
      Thread.sleep(1000);
      assertThat(get(base + "/metrics")).contains("error_type=\"connect_error\"");

      HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(
          URI.create(base + "/scenario/meltdown")).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(unknown.statusCode()).isEqualTo(400);

      bot.setScenario(Scenario.GHOST);
      Thread.sleep(1500);
      assertThat(get(base + "/metrics")).contains("gen_ai_client_invalid_responses_total{");
      lint(scrape); // last: skips (without CI=true) when promtool is missing
    }
  }

  @Test
  void llmMetricsShareMicrometersScrape() throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    PrometheusMeterRegistry meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String scrape = SharedRegistryExample.scrapeAfterCalls(meterRegistry);
    assertThat(scrape)
        .contains("shop_orders_placed_total 1.0")
        .contains("jvm_memory_used_bytes{")
        .contains("gen_ai_client_operation_duration_seconds_count{error_type=\"\",gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\"")
        .contains("gen_ai_client_cost_usd_total{");
  }

  private String get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** promtool check metrics, when promtool is there (required under CI=true). */
  private static void lint(String scrape) throws Exception {
    Path promtool = Tools.require("promtool");
    Path file = Files.createTempFile("scrape", ".txt");
    try {
      Files.writeString(file, scrape, StandardCharsets.UTF_8);
      Process p = new ProcessBuilder(promtool.toString(), "check", "metrics")
          .redirectInput(file.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isZero();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}

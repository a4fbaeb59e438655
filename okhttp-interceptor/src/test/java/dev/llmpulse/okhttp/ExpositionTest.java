package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * The scrape after replaying every recorded call with the default settings (bundled prices):
 * what /metrics would serve. It must pass {@code promtool check metrics}, and the default cost
 * model must have priced the calls whose models it knows.
 */
class ExpositionTest {

  @Test
  void scrapeOfEveryRecordedCallPassesPromtoolAndCarriesCost() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    MockWebServer server = new MockWebServer();
    server.start();
    OkHttpClient client = new OkHttpClient.Builder()
        .dns(Fixture.LOOPBACK)
        .addInterceptor(LlmMetricsInterceptor.builder().registry(registry).build())
        .build();
    int calls = 0;
    try {
      for (Path file : fixtureFiles()) {
        for (Fixture.Interaction recorded : Fixture.load(Fixture.root().relativize(file).toString()).interactions) {
          server.enqueue(recorded.mockResponse());
          try (Response response = client.newCall(recorded.request(server)).execute()) {
            response.body().bytes();
          }
          calls++;
        }
      }
    } finally {
      server.shutdown();
    }

    Scrape scrape = Scrape.of(registry);
    assertThat(scrape.histogramCount("gen_ai_client_operation_duration_seconds")).isEqualTo(calls);
    // gpt-4o-mini at the bundled (LiteLLM 2026-07-24) rates: $0.15 / 1M input, $0.60 / 1M output.
    double outputTokens = scrape.counter("gen_ai_client_tokens", "gen_ai_request_model",
        "gpt-4o-mini", "gen_ai_response_model", "gpt-4o-mini-2024-07-18",
        "gen_ai_token_type", "output");
    assertThat(outputTokens).as("the recordings hold gpt-4o-mini answers").isGreaterThan(0);
    assertThat(scrape.counter("gen_ai_client_cost_usd", "gen_ai_request_model", "gpt-4o-mini",
        "gen_ai_response_model", "gpt-4o-mini-2024-07-18", "gen_ai_token_type", "output"))
        .as("output cost of the gpt-4o-mini calls: every output token at $0.60 / 1M")
        .isCloseTo(outputTokens * 0.60e-6, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(scrape.counter("gen_ai_client_unpriced_operations", "gen_ai_request_model", "gemma3:4b"))
        .as("a local model has no price: counted, not priced at 0").isEqualTo(1);

    String exposition = scrape.text();
    assertThat(exposition).contains("gen_ai_client_cost_usd_total{");
    File promtool = findPromtool();
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (promtool == null && ci) {
      throw new AssertionError("CI=true but promtool is not installed: .ci/run installs Debian's prometheus package");
    }
    assumeTrue(promtool != null, "promtool not found: skipped the lint. Install it with "
        + "`apt-get install -y prometheus` (it is part of that package) to run this check.");
    Process process = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("promtool check metrics said:\n" + output).isZero();
  }

  static List<Path> fixtureFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(Fixture.root())) {
      return walk.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("pricing"))
          .sorted().collect(Collectors.toList());
    }
  }

  static File findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "promtool");
      if (candidate.canExecute()) return candidate;
    }
    return null;
  }
}

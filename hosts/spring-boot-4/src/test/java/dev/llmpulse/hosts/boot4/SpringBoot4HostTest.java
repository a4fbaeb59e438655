package dev.llmpulse.hosts.boot4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.testkit.Fixture;
import dev.llmpulse.testkit.ScrapedPage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.mockwebserver.MockWebServer;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The README's Spring Boot set-up, in a real Spring Boot 4.0 application with a real server: LLM
 * calls made through the application's client show on {@code /actuator/prometheus}, scraped over
 * HTTP, beside Micrometer's own metrics, on exactly the client_java and Jackson Boot brings.
 */
// Boot's test support turns metrics export off unless asked; this puts back what the app has.
@AutoConfigureMetrics
@SpringBootTest(classes = HostApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class SpringBoot4HostTest {
  /** The Accept header Prometheus 3 sends when it scrapes. */
  private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0;"
      + "escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,"
      + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,"
      + "*/*;q=0.1";
  private static final MockWebServer upstream = new MockWebServer();

  @Autowired OkHttpClient llmClient;

  @Value("${local.server.port}")
  int port;

  @BeforeAll
  static void startUpstream() throws IOException {
    upstream.start(java.net.InetAddress.getLoopbackAddress(), 0);
  }

  @AfterAll
  static void stopUpstream() throws IOException {
    upstream.shutdown();
  }

  @Test
  void llmCallsShowOnActuatorPrometheusBesideMicrometersMetrics() throws Exception {
    // Token counts as recorded in the fixture bodies: usage{prompt_tokens 12, completion_tokens 5}
    // in the include_usage chunk and in the JSON answer; Anthropic's message_start
    // usage.input_tokens 17 and the last message_delta usage.output_tokens 171.
    callAsTheAppWould("openai/test_chat_completion_streaming.json", true);
    callAsTheAppWould("openai/test_chat_completion_with_content.json", false);
    callAsTheAppWould("anthropic/test_anthropic_message_streaming_legacy.json", true);

    HttpResponse<String> scrape = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
            .GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(scrape.statusCode()).isEqualTo(200);
    ScrapedPage page = ScrapedPage.of(scrape.body());
    String lines = page.llmPulseLines();

    assertThat(page.sum("gen_ai_client_instrumentation_errors_total")).as(lines).isZero();

    String tokens = "gen_ai_client_tokens_total";
    assertThat(page.sum(tokens, "gen_ai_request_model", "gpt-4", "gen_ai_provider_name", "openai",
        "gen_ai_token_type", "input")).isEqualTo(12);
    assertThat(page.sum(tokens, "gen_ai_request_model", "gpt-4", "gen_ai_token_type", "output"))
        .isEqualTo(5);
    assertThat(page.sum(tokens, "gen_ai_request_model", "gpt-4o-mini", "gen_ai_token_type", "input"))
        .isEqualTo(12);
    assertThat(page.sum(tokens, "gen_ai_request_model", "gpt-4o-mini", "gen_ai_token_type", "output"))
        .isEqualTo(5);
    String haiku = "claude-3-haiku-20240307";
    assertThat(page.sum(tokens, "gen_ai_request_model", haiku, "gen_ai_provider_name", "anthropic",
        "gen_ai_token_type", "input")).isEqualTo(17);
    assertThat(page.sum(tokens, "gen_ai_request_model", haiku, "gen_ai_token_type", "output"))
        .isEqualTo(171);

    // gpt-4o-mini is in the bundled price table; gpt-4 and claude-3-haiku are not.
    assertThat(page.sum("gen_ai_client_cost_usd_total", "gen_ai_request_model", "gpt-4o-mini"))
        .isGreaterThan(0);
    assertThat(page.sum("gen_ai_client_unpriced_operations_total", "gen_ai_request_model", "gpt-4"))
        .isEqualTo(1);

    assertThat(page.sum("gen_ai_client_finish_reasons_total",
        "gen_ai_response_finish_reason", "stop")).isEqualTo(2);
    assertThat(page.sum("gen_ai_client_finish_reasons_total",
        "gen_ai_response_finish_reason", "end_turn")).isEqualTo(1);

    String firstChunk = "gen_ai_client_operation_time_to_first_chunk_seconds_count";
    assertThat(page.sum(firstChunk, "gen_ai_request_model", "gpt-4")).isEqualTo(1);
    assertThat(page.sum(firstChunk, "gen_ai_request_model", haiku)).isEqualTo(1);
    assertThat(page.samples(firstChunk, "gen_ai_request_model", "gpt-4o-mini")).isEmpty();

    assertThat(page.sum("gen_ai_client_operation_duration_seconds_count", "error_type", ""))
        .isEqualTo(3);
    assertThat(page.sum("gen_ai_client_requests_in_flight")).isZero();
    assertThat(page.samples("gen_ai_client_oldest_in_flight_seconds"))
        .allSatisfy(oldest -> assertThat(oldest.value).isZero());

    // Micrometer's own metrics are still served from the same registry.
    assertThat(page.samples("jvm_memory_used_bytes")).isNotEmpty();
    assertThat(page.samples("process_uptime_seconds")).isNotEmpty();

    // Prometheus itself asks for OpenMetrics first: the same values, a well-formed page.
    HttpResponse<String> openMetrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
            .header("Accept", PROMETHEUS_ACCEPT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(openMetrics.statusCode()).isEqualTo(200);
    assertThat(openMetrics.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/openmetrics-text"));
    assertThat(openMetrics.body()).endsWith("# EOF\n");
    ScrapedPage open = ScrapedPage.of(openMetrics.body());
    assertThat(open.sum("gen_ai_client_instrumentation_errors_total")).isZero();
    assertThat(open.sum(tokens, "gen_ai_request_model", haiku, "gen_ai_token_type", "output"))
        .isEqualTo(171);
  }

  @Test
  void runsOnExactlyTheClientJavaAndJacksonTheBootBomBrings() throws Exception {
    String bom = new String(Files.readAllBytes(Paths.get(System.getProperty("llmpulse.bootBom"))),
        StandardCharsets.UTF_8);
    String jackson = bomProperty(bom, System.getProperty("llmpulse.bootJacksonProperty"));
    String clientJava = bomProperty(bom, "prometheus-client.version");

    assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString()).isEqualTo(jackson);
    // Boot 4 brings Jackson 3 (tools.jackson) for itself; Jackson 2 databind is either absent or
    // at the version Boot's jackson-2-bom manages.
    try {
      Object databind = Class.forName("com.fasterxml.jackson.databind.cfg.PackageVersion")
          .getField("VERSION").get(null);
      assertThat(databind.toString()).isEqualTo(jackson);
    } catch (ClassNotFoundException absent) {
      // nothing of ours needs it
    }

    // Micrometer's registry brings these client_java modules and excludes the tracer initializer.
    TreeMap<String, String> prometheusJars = prometheusJarsOnClassPath();
    assertThat(prometheusJars.keySet()).containsExactly(
        "prometheus-metrics-config",
        "prometheus-metrics-core",
        "prometheus-metrics-exposition-formats",
        "prometheus-metrics-exposition-textformats",
        "prometheus-metrics-model",
        "prometheus-metrics-tracer-common");
    assertThat(prometheusJars.values()).containsOnly(clientJava);
    assertThatThrownBy(
            () -> Class.forName("io.prometheus.metrics.tracer.initializer.SpanContextSupplier"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.prometheus.metrics.tracer.otel.OpenTelemetrySpanContext"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  private void callAsTheAppWould(String fixture, boolean stream) throws IOException {
    Fixture recorded = Fixture.load(fixture);
    upstream.enqueue(recorded.response());
    OkHttpClient client = llmClient.newBuilder().dns(Fixture.LOOPBACK).build();
    try (Response response = client.newCall(recorded.request(upstream)).execute()) {
      byte[] read;
      if (stream) {
        // An SSE consumer reads line by line until the server ends the stream.
        StringBuilder lines = new StringBuilder();
        BufferedSource source = response.body().source();
        for (String line; (line = source.readUtf8Line()) != null; ) lines.append(line).append('\n');
        read = lines.toString().getBytes(StandardCharsets.UTF_8);
      } else {
        read = response.body().bytes();
      }
      assertThat(new String(read, StandardCharsets.UTF_8))
          .isEqualTo(new String(recorded.body, StandardCharsets.UTF_8));
    }
  }

  private static String bomProperty(String bom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(bom);
    assertThat(m.find()).as("property %s in the Boot BOM", name).isTrue();
    return m.group(1);
  }

  /** artifactId to version of every io.prometheus jar on the test class path. */
  private static TreeMap<String, String> prometheusJarsOnClassPath() {
    TreeMap<String, String> jars = new TreeMap<>();
    Pattern jar = Pattern.compile("(prometheus-metrics-[a-z-]+)-(\\d[^/]*)\\.jar");
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.replace('\\', '/').contains("/io/prometheus/")) entries.add(entry);
    }
    for (String entry : entries) {
      Matcher m = jar.matcher(new File(entry).getName());
      assertThat(m.matches()).as(entry).isTrue();
      jars.put(m.group(1), m.group(2));
    }
    return jars;
  }
}

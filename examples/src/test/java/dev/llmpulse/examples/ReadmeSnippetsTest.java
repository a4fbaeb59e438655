package dev.llmpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.WireFormat;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import retrofit2.Call;
import retrofit2.Retrofit;
import retrofit2.http.Body;
import retrofit2.http.POST;

/**
 * What the README shows is what runs: each region between "README snippet: NAME" and "end of
 * README snippet" below is the README's block marked {@code <!-- snippet: NAME -->}, line for
 * line (the last test fails when they drift), and its imports are this file's. The calls replay
 * a recorded OpenAI answer (12 input, 5 output tokens) through MockWebServer.
 */
class ReadmeSnippetsTest {
  private static final String FIXTURE = "openai/test_chat_completion_with_content.json";
  private static final MediaType JSON = MediaType.get("application/json");

  /**
   * README text -> the test's, where a snippet must differ to run here: the README's port and
   * the real API's base URL become an ephemeral port and the recorded call's MockWebServer.
   */
  private static final Map<String, String> TEST_ONLY = new LinkedHashMap<>();

  static {
    TEST_ONLY.put(".port(9464)", ".port(0)");
    TEST_ONLY.put(".baseUrl(\"https://api.openai.com/v1/\")", ".baseUrl(openAiV1)");
    TEST_ONLY.put("new OkHttpClient.Builder().addInterceptor(interceptor)",
        "new OkHttpClient.Builder().dns(RecordedCall.LOOPBACK).addInterceptor(interceptor)");
  }

  private final MockWebServer server = new MockWebServer();
  private final OkHttpClient scraper = new OkHttpClient();
  private RecordedCall recorded;

  @BeforeEach
  void startUpstream() throws IOException {
    recorded = RecordedCall.load(FIXTURE);
    server.start();
  }

  @AfterEach
  void stopUpstream() throws IOException {
    server.shutdown();
  }

  @Test
  void plainOkHttpAppServesItsCallsOnMetricsOverHttp() throws Exception {
    // README snippet: okhttp
    PrometheusRegistry registry = new PrometheusRegistry();   // or your app's registry
    LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
        .registry(registry)
        .build();
    OkHttpClient client = new OkHttpClient.Builder()
        .addInterceptor(interceptor)   // an application interceptor: see below
        .build();
    // end of README snippet
    // README snippet: metrics-endpoint
    HTTPServer metrics = HTTPServer.builder()
        .port(0)
        .registry(registry)
        .buildAndStart();   // http://localhost:9464/metrics; metrics.close() on shutdown
    // end of README snippet
    try (metrics) {
      client = client.newBuilder().dns(RecordedCall.LOOPBACK).build(); // recorded host, loopback
      server.enqueue(recorded.response());
      Request request = new Request.Builder().url(recorded.urlOn(server.getPort()))
          .post(RequestBody.create(recorded.requestBody, JSON)).build();
      try (Response response = client.newCall(request).execute()) {
        assertThat(response.body().string()).contains("\"content\": \"This is a test.\"");
      }

      String scrape = scrapeOverHttp(metrics.getPort());
      assertRecordedCall(scrape);
    }
  }

  @Test
  void retrofitAppWithTheReadmesExclusionIsRecordedAndHasOneOkHttp() throws Exception {
    // README snippet: okhttp
    PrometheusRegistry registry = new PrometheusRegistry();   // or your app's registry
    LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
        .registry(registry)
        .build();
    OkHttpClient client = new OkHttpClient.Builder()
        .addInterceptor(interceptor)   // an application interceptor: see below
        .build();
    // end of README snippet
    // README snippet: metrics-endpoint
    HTTPServer metrics = HTTPServer.builder()
        .port(0)
        .registry(registry)
        .buildAndStart();   // http://localhost:9464/metrics; metrics.close() on shutdown
    // end of README snippet
    try (metrics) {
      client = client.newBuilder().dns(RecordedCall.LOOPBACK).build(); // recorded host, loopback
      HttpUrl openAiV1 = recorded.urlOn(server.getPort()).resolve("/v1/");
      server.enqueue(recorded.response());
      // README snippet: retrofit
      interface OpenAi {
        @POST("chat/completions")
        Call<ResponseBody> chat(@Body RequestBody request);
      }

      OpenAi openAi = new Retrofit.Builder()
          .baseUrl(openAiV1)
          .client(client)   // the OkHttpClient with LlmMetricsInterceptor
          .build()
          .create(OpenAi.class);
      // end of README snippet
      retrofit2.Response<ResponseBody> answer =
          openAi.chat(RequestBody.create(recorded.requestBody, JSON)).execute();
      try (ResponseBody body = answer.body()) {
        assertThat(answer.code()).isEqualTo(200);
        assertThat(body.string()).contains("\"content\": \"This is a test.\"");
      }

      assertRecordedCall(scrapeOverHttp(metrics.getPort()));
    }
    // Retrofit 3.0.0 asks for com.squareup.okhttp3:okhttp 4.12.0; with the README's exclusion
    // the only okhttp3 classes are okhttp-jvm's.
    List<URL> copies = Collections.list(ReadmeSnippetsTest.class.getClassLoader()
        .getResources("okhttp3/OkHttpClient.class"));
    assertThat(copies).hasSize(1);
    assertThat(copies.get(0).toString()).contains("okhttp-jvm");
  }

  @Test
  void localServerIsOtherUntilNamed() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    OkHttpClient unnamed = new OkHttpClient.Builder()
        .addInterceptor(LlmMetricsInterceptor.builder().registry(registry).build()).build();
    callLocalhost(unnamed);
    assertThat(value(scrape(registry), "gen_ai_client_tokens_total",
        "gen_ai_provider_name=\"_OTHER\"", "server_address=\"localhost\"",
        "gen_ai_token_type=\"input\"")).isEqualTo(12);

    registry = new PrometheusRegistry();
    // README snippet: local-server
    LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
        .registry(registry)
        .provider("localhost", "ollama")   // e.g. Ollama's OpenAI API on http://localhost:11434/v1
        .build();
    // end of README snippet
    callLocalhost(new OkHttpClient.Builder().addInterceptor(interceptor).build());
    String scrape = scrape(registry);
    assertThat(value(scrape, "gen_ai_client_tokens_total", "gen_ai_provider_name=\"ollama\"",
        "server_address=\"localhost\"", "gen_ai_token_type=\"input\"")).isEqualTo(12);
    assertThat(scrape).doesNotContain("_OTHER");
  }

  @Test
  void gatewayPathIsRecordedAndOtherTrafficPassesUntouched() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    // README snippet: gateway
    LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
        .registry(registry)
        .apiPath("/gateway/v2/generate", WireFormat.OPENAI_CHAT)   // OpenAI chat, renamed
        .build();
    // end of README snippet
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor).build();
    server.enqueue(recorded.response());
    server.enqueue(new MockResponse().setBody("{\"status\":\"up\"}"));
    try (Response response = client.newCall(new Request.Builder()
        .url(server.url("/gateway/v2/generate"))
        .post(RequestBody.create(recorded.requestBody, JSON)).build()).execute()) {
      response.body().string();
    }
    try (Response health = client.newCall(new Request.Builder().url(server.url("/health"))
        .build()).execute()) {
      assertThat(health.body().string()).isEqualTo("{\"status\":\"up\"}");
    }

    String scrape = scrape(registry);
    assertThat(value(scrape, "gen_ai_client_tokens_total", "gen_ai_operation_name=\"chat\"",
        "gen_ai_token_type=\"input\"")).isEqualTo(12);
    assertThat(value(scrape, "gen_ai_client_operation_duration_seconds_count")).isEqualTo(1);
  }

  @Test
  void attributionLabelsSpendByFeatureAndTenant() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    server.enqueue(recorded.response());
    server.enqueue(recorded.response());
    Request request = new Request.Builder().url(recorded.urlOn(server.getPort()))
        .post(RequestBody.create(recorded.requestBody, JSON)).build();
    String answer;
    // README snippet: attribution
    LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder()
        .registry(registry)
        .attribution(Attribution.key("feature").allow("refunds", "order_status", "escalation"))
        .attribution(Attribution.key("tenant").maxValues(50))
        .build();
    OkHttpClient client = new OkHttpClient.Builder().dns(RecordedCall.LOOPBACK).addInterceptor(interceptor).build();

    // OkHttp: a request tag, which also works with enqueue()
    Request tagged = request.newBuilder()
        .tag(Attribution.Tags.class, Attribution.tags("feature", "refunds", "tenant", "acme"))
        .build();
    try (Response response = client.newCall(tagged).execute()) {
      answer = response.body().string();
    }

    // Any binding: a scope on the thread that starts the call
    try (Attribution.Scope scope = Attribution.with("feature", "order_status")) {
      answer = chat(client, request);   // your code: execute(), read the answer
    }
    // end of README snippet
    assertThat(answer).contains("This is a test.");
    String scrape = scrape(registry);
    assertThat(value(scrape, "gen_ai_client_tokens_total", "feature=\"refunds\"",
        "tenant=\"acme\"", "gen_ai_token_type=\"input\"")).isEqualTo(12);
    assertThat(value(scrape, "gen_ai_client_calls_total", "feature=\"order_status\"",
        "tenant=\"\"", "error_type=\"\"")).isEqualTo(1);
    assertThat(scrape).contains("gen_ai_client_cost_usd_total{");
  }

  private static String chat(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      return response.body().string();
    }
  }

  @Test
  void readmeShowsExactlyTheSnippetsThisTestRuns() throws IOException {
    Path examples = Tools.examplesDir();
    String readme = Files.readString(examples.resolve("../README.md"));
    String source = Files.readString(
        examples.resolve("src/test/java/dev/llmpulse/examples/ReadmeSnippetsTest.java"));
    Map<String, List<String>> shown = readmeBlocks(readme, "java");
    Map<String, List<List<String>>> run = testRegions(source);

    assertThat(run.keySet()).as("README blocks marked <!-- snippet: NAME -->")
        .isEqualTo(shown.keySet());
    for (Map.Entry<String, List<String>> block : shown.entrySet()) {
      List<String> code = new ArrayList<>();
      for (String line : block.getValue()) {
        if (line.startsWith("import ")) {
          assertThat(source).as("snippet " + block.getKey() + " imports")
              .contains("\n" + line + "\n");
        } else {
          for (Map.Entry<String, String> swap : TEST_ONLY.entrySet()) {
            line = line.replace(swap.getKey(), swap.getValue());
          }
          code.add(line);
        }
      }
      for (List<String> region : run.get(block.getKey())) {
        assertThat(region).as("snippet " + block.getKey()).isEqualTo(trimBlank(code));
      }
    }

    // The Retrofit dependency the README shows is the one this module's tests use.
    String pom = Files.readString(examples.resolve("pom.xml"));
    Matcher version = Pattern.compile("<retrofit.version>([^<]+)</").matcher(pom);
    assertThat(version.find()).isTrue();
    Matcher dependency = Pattern.compile(
        "<dependency>(?:(?!</dependency>).)*<artifactId>retrofit</artifactId>.*?</dependency>",
        Pattern.DOTALL).matcher(pom);
    assertThat(dependency.find()).isTrue();
    String used = xml(dependency.group()).replace("<scope>test</scope>", "")
        .replace("${retrofit.version}", version.group(1));
    assertThat(readmeBlocks(readme, "xml").get("retrofit-pom")).isNotNull();
    assertThat(xml(String.join("\n", readmeBlocks(readme, "xml").get("retrofit-pom"))))
        .isEqualTo(used);
  }

  @Test
  void demoBannerAndReadmeNameWhereMetricsAreAndEveryCommand() throws Exception {
    String readme = Files.readString(Tools.examplesDir().resolve("../README.md"));
    DemoBot.Options options = DemoBot.Options.parse("--port=0", "--rate=0.01", "--stdin=false",
        "--quiet=true");
    options.baseUrl = null;
    try (DemoBot bot = DemoBot.start(options)) {
      String banner = bot.banner();
      assertThat(banner).contains("http://127.0.0.1:" + bot.metricsPort() + "/metrics");
      List<String> commands = new ArrayList<>(List.of("status", "quit"));
      for (Scenario scenario : Scenario.values()) commands.add(scenario.label());
      for (String command : commands) {
        assertThat(banner).as("banner").containsPattern("\\b" + command + "\\b");
        assertThat(readme).as("README demo paragraph").contains("`" + command + "`");
      }
    }
  }

  private void callLocalhost(OkHttpClient client) throws IOException {
    server.enqueue(recorded.response());
    HttpUrl url = new HttpUrl.Builder().scheme("http").host("localhost").port(server.getPort())
        .encodedPath("/v1/chat/completions").build();
    try (Response response = client.newCall(new Request.Builder().url(url)
        .post(RequestBody.create(recorded.requestBody, JSON)).build()).execute()) {
      response.body().string();
    }
    recorded = RecordedCall.load(FIXTURE); // a MockResponse is served once
  }

  private static void assertRecordedCall(String scrape) {
    String[] call = {"gen_ai_operation_name=\"chat\"", "gen_ai_provider_name=\"openai\"",
        "gen_ai_request_model=\"gpt-4o-mini\"",
        "gen_ai_response_model=\"gpt-4o-mini-2024-07-18\"", "server_address=\"api.openai.com\""};
    assertThat(value(scrape, "gen_ai_client_tokens_total", with(call,
        "gen_ai_token_type=\"input\""))).isEqualTo(12);
    assertThat(value(scrape, "gen_ai_client_tokens_total", with(call,
        "gen_ai_token_type=\"output\""))).isEqualTo(5);
    assertThat(value(scrape, "gen_ai_client_operation_duration_seconds_count", with(call,
        "error_type=\"\""))).isEqualTo(1);
    assertThat(value(scrape, "gen_ai_client_finish_reasons_total",
        "gen_ai_response_finish_reason=\"stop\"")).isEqualTo(1);
  }

  private String scrapeOverHttp(int port) throws IOException {
    Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/metrics").build();
    try (Response response = scraper.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return response.body().string();
    }
  }

  private static String scrape(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The sum of the samples of {@code name} whose labels contain all of {@code labels}. */
  private static double value(String scrape, String name, String... labels) {
    double sum = 0;
    int found = 0;
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
      boolean all = true;
      for (String label : labels) all &= line.contains(label);
      if (!all) continue;
      sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      found++;
    }
    assertThat(found).as(name + " " + String.join(",", labels) + " in\n" + scrape)
        .isPositive();
    return sum;
  }

  private static String[] with(String[] labels, String more) {
    String[] all = java.util.Arrays.copyOf(labels, labels.length + 1);
    all[labels.length] = more;
    return all;
  }

  /** README blocks of {@code language} right after a {@code <!-- snippet: NAME -->} line. */
  private static Map<String, List<String>> readmeBlocks(String readme, String language) {
    Map<String, List<String>> blocks = new LinkedHashMap<>();
    String[] lines = readme.split("\n", -1);
    for (int i = 0; i + 1 < lines.length; i++) {
      Matcher marker = Pattern.compile("<!-- snippet: (\\S+) -->").matcher(lines[i].trim());
      if (!marker.matches() || !lines[i + 1].equals("```" + language)) continue;
      List<String> block = new ArrayList<>();
      for (int j = i + 2; j < lines.length && !lines[j].equals("```"); j++) {
        block.add(lines[j].stripTrailing());
      }
      blocks.put(marker.group(1), block);
    }
    return blocks;
  }

  /** Regions of this file between the snippet markers, dedented. */
  private static Map<String, List<List<String>>> testRegions(String source) {
    Map<String, List<List<String>>> regions = new LinkedHashMap<>();
    String[] lines = source.split("\n", -1);
    String begin = "// README snippet: ";
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (!line.startsWith(begin)) continue;
      List<String> region = new ArrayList<>();
      for (int j = i + 1; !lines[j].trim().equals("// end of README snippet"); j++) {
        region.add(lines[j].stripTrailing());
      }
      int indent = Integer.MAX_VALUE;
      for (String r : region) {
        if (!r.isBlank()) indent = Math.min(indent, r.length() - r.stripLeading().length());
      }
      List<String> dedented = new ArrayList<>();
      for (String r : region) dedented.add(r.isBlank() ? "" : r.substring(indent));
      regions.computeIfAbsent(line.substring(begin.length()), k -> new ArrayList<>())
          .add(trimBlank(dedented));
    }
    return regions;
  }

  private static List<String> trimBlank(List<String> lines) {
    int from = 0;
    int to = lines.size();
    while (from < to && lines.get(from).isBlank()) from++;
    while (to > from && lines.get(to - 1).isBlank()) to--;
    return new ArrayList<>(lines.subList(from, to));
  }

  private static String xml(String text) {
    return text.replaceAll("(?s)<!--.*?-->", "").replaceAll("\\s+", "");
  }
}

package dev.llmpulse.examples;

import com.sun.net.httpserver.HttpServer;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * LLM metrics on the same scrape as Micrometer's, the way a Spring Boot application has them:
 * Spring Boot creates one {@link PrometheusMeterRegistry} and serves {@code scrape()} on
 * {@code /actuator/prometheus}; hand its {@link PrometheusMeterRegistry#getPrometheusRegistry()}
 * to the interceptor. In a Spring Boot app that is a bean:
 *
 * <pre>{@code
 * @Bean
 * OkHttpClient llmClient(PrometheusMeterRegistry meterRegistry) {
 *   return new OkHttpClient.Builder()
 *       .addInterceptor(LlmMetricsInterceptor.builder()
 *           .registry(meterRegistry.getPrometheusRegistry())
 *           .build())
 *       .build();
 * }
 * }</pre>
 *
 * <p>Run: {@code mvn -q -pl examples compile exec:java
 * -Dexec.mainClass=dev.llmpulse.examples.SharedRegistryExample} (prints the shared scrape), add
 * {@code -Dexec.args=--serve} to keep serving it on http://127.0.0.1:9465/actuator/prometheus.
 */
public final class SharedRegistryExample {
  private SharedRegistryExample() {}

  /** Makes a few LLM calls through the shared registry and returns the one scrape. */
  public static String scrapeAfterCalls(PrometheusMeterRegistry meterRegistry) throws IOException {
    // What Spring Boot's auto-configuration does for you: Micrometer's own meters.
    new JvmMemoryMetrics().bindTo(meterRegistry);
    Counter orders = Counter.builder("shop.orders.placed").register(meterRegistry);
    orders.increment();

    // The only LLM Pulse line: the interceptor on Micrometer's Prometheus registry.
    PrometheusRegistry shared = meterRegistry.getPrometheusRegistry();
    LlmMetricsInterceptor interceptor = LlmMetricsInterceptor.builder().registry(shared).build();

    try (FakeUpstream upstream = new FakeUpstream(Scenario.NORMAL, 0, 20)) {
      OkHttpClient client = new OkHttpClient.Builder()
          .addInterceptor(interceptor)
          .dns(host -> Collections.singletonList(InetAddress.getLoopbackAddress()))
          .build();
      for (int i = 0; i < 3; i++) {
        Request request = new Request.Builder()
            .url("http://api.openai.com:" + upstream.port() + "/v1/chat/completions")
            .post(RequestBody.create("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Where is my order?\"}]}", MediaType.get("application/json")))
            .build();
        try (Response response = client.newCall(request).execute()) {
          response.body().string();
        }
      }
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    return meterRegistry.scrape();
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    PrometheusMeterRegistry meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String scrape = scrapeAfterCalls(meterRegistry);
    scrape.lines()
        .filter(l -> l.startsWith("shop_orders_placed_total") || l.startsWith("jvm_memory_used_bytes")
            || l.startsWith("gen_ai_client_operation_duration_seconds_count")
            || l.startsWith("gen_ai_client_cost_usd_total") || l.startsWith("gen_ai_client_tokens_total"))
        .limit(14)
        .forEach(System.out::println);
    System.out.println("... one scrape, Micrometer's meters and LLM Pulse's side by side ("
        + scrape.lines().count() + " lines)");
    if (args.length > 0 && args[0].equals("--serve")) {
      HttpServer server = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 9465), 0);
      server.createContext("/actuator/prometheus", exchange -> {
        byte[] body = meterRegistry.scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.start();
      System.out.println("serving http://127.0.0.1:9465/actuator/prometheus (Ctrl-C stops)");
    }
  }
}

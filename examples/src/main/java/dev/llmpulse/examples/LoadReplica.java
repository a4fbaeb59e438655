package dev.llmpulse.examples;

import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One replica of a bot under a chosen traffic shape, for measuring how soon the rules page: its
 * own registry and {@code /metrics} endpoint, one instrumented {@link OkHttpClient} sending OpenAI chat completions for {@code host} (resolved to loopback, provider
 * {@code openai}) to a {@link FakeUpstream}. Each call runs on its own thread with
 * {@code execute()}, so no dispatcher limit shapes the traffic.
 *
 * <ul>
 *   <li>{@link #open}: open arrivals, Poisson at a rate (new customers do not wait for the
 *       answers of earlier ones: a slow upstream piles calls up);
 *   <li>{@link #closed}: a closed pool of worker threads, each sending its next call as soon as
 *       its last answer arrived (a batch job, a queue consumer): a slow upstream slows the
 *       arrivals down.
 * </ul>
 *
 * <pre>{@code
 * FakeUpstream upstream = new FakeUpstream(Scenario.NORMAL, 60, 20);
 * try (LoadReplica pool = LoadReplica.closed("pool.llm.test", upstream, 8, Duration.ofSeconds(30))) {
 *   upstream.setFault(FakeUpstream.Fault.SLOW); // scrape http://127.0.0.1:{pool.metricsPort()}/metrics
 * }
 * }</pre>
 */
public final class LoadReplica implements Closeable {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":120,\"messages\":"
      + "[{\"role\":\"user\",\"content\":\"Where is my order #48213?\"}]}";

  private final String host;
  private final FakeUpstream upstream;
  private final OkHttpClient client;
  private final HTTPServer metrics;
  private final ExecutorService callers;
  private final List<Thread> drivers = new ArrayList<>();
  private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
  private volatile boolean running = true;

  private LoadReplica(String host, FakeUpstream upstream, Duration readTimeout)
      throws IOException {
    this.host = host;
    this.upstream = upstream;
    PrometheusRegistry registry = new PrometheusRegistry();
    this.client = new OkHttpClient.Builder()
        .addInterceptor(LlmMetricsInterceptor.builder().registry(registry)
            .provider(host, "openai").build())
        .dns(hostname -> Collections.singletonList(InetAddress.getLoopbackAddress()))
        .connectionPool(new ConnectionPool(128, 1, TimeUnit.MINUTES))
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(readTimeout)
        .build();
    this.metrics = HTTPServer.builder().inetAddress(InetAddress.getLoopbackAddress()).port(0)
        .registry(registry).buildAndStart();
    this.callers = Executors.newCachedThreadPool(daemon("load-" + host));
  }

  /**
   * Open arrivals: {@code perSecond} new calls a second at random (Poisson) times.
   *
   * @param readTimeout the client's read timeout: the longest wait for the next byte
   */
  public static LoadReplica open(String host, FakeUpstream upstream, double perSecond,
      Duration readTimeout) throws IOException {
    LoadReplica replica = new LoadReplica(host, upstream, readTimeout);
    replica.drive("arrivals", () -> {
      double gap = -Math.log(1 - ThreadLocalRandom.current().nextDouble()) / perSecond;
      Thread.sleep((long) (gap * 1000));
      replica.callers.execute(replica::call);
    });
    return replica;
  }

  /** A closed pool: {@code workers} threads, each calling again as soon as it has its answer. */
  public static LoadReplica closed(String host, FakeUpstream upstream, int workers,
      Duration readTimeout) throws IOException {
    LoadReplica replica = new LoadReplica(host, upstream, readTimeout);
    for (int i = 0; i < workers; i++) {
      replica.drive("worker-" + i, () -> {
        if (!replica.call()) Thread.sleep(100); // no hot loop on instant failures
      });
    }
    return replica;
  }

  /** Sends {@code calls} extra calls at once (a burst of customers), on top of the shape. */
  public void burst(int calls) {
    for (int i = 0; i < calls; i++) callers.execute(this::call);
  }

  public int metricsPort() {
    return metrics.getPort();
  }

  public String host() {
    return host;
  }

  /** How the calls ended so far: {@code ok=…}, {@code 503=…}, {@code failed=…}. */
  public String status() {
    StringBuilder sb = new StringBuilder(host);
    new TreeMap<>(outcomes).forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    return sb.toString();
  }

  @Override
  public void close() {
    running = false;
    drivers.forEach(Thread::interrupt);
    callers.shutdownNow();
    client.dispatcher().executorService().shutdownNow();
    client.connectionPool().evictAll();
    metrics.close();
  }

  private interface Step {
    void run() throws InterruptedException;
  }

  private void drive(String name, Step step) {
    Thread t = daemon("load-" + host + "-" + name).newThread(() -> {
      while (running) {
        try {
          step.run();
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          count("load_error"); // e.g. the executor rejected a call while closing
        }
      }
    });
    drivers.add(t);
    t.start();
  }

  /** One call, read to the end; true when it got an answer (of any status). */
  private boolean call() {
    Request request = new Request.Builder()
        .url("http://" + host + ":" + upstream.port() + "/v1/chat/completions")
        .header("Authorization", "Bearer sk-load")
        .post(RequestBody.create(BODY, JSON))
        .build();
    try (Response response = client.newCall(request).execute()) {
      response.body().source().readAll(okio.Okio.blackhole());
      count(response.isSuccessful() ? "ok" : Integer.toString(response.code()));
      return true;
    } catch (IOException e) {
      count("failed");
      return false;
    }
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}

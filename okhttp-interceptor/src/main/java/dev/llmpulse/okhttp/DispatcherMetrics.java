package dev.llmpulse.okhttp;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * Exposes an OkHttp {@link Dispatcher}'s queue, read at scrape time: calls waiting for a slot,
 * calls running, and the limits that make them wait. OkHttp runs at most 5 asynchronous calls
 * per host by default ({@code maxRequestsPerHost}); every further {@code enqueue}d call to that
 * host waits in the queue, which is how a slow upstream piles up hundreds of thousands of calls.
 *
 * <pre>
 * gen_ai_client_dispatcher_queued_calls{client="support-bot"} 1234
 * gen_ai_client_dispatcher_running_calls{client="support-bot"} 5
 * gen_ai_client_dispatcher_max_requests_per_host{client="support-bot"} 5
 * gen_ai_client_dispatcher_max_requests{client="support-bot"} 64
 * </pre>
 *
 * <pre>{@code
 * OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor).build();
 * DispatcherMetrics.register(registry, "support-bot", client);
 * }</pre>
 *
 * <p>The dispatcher is held weakly: a client that is garbage collected disappears from the
 * scrape. Registering another dispatcher under the same name replaces the first.
 */
public final class DispatcherMetrics {
  public static final String QUEUED = "gen_ai_client_dispatcher_queued_calls";
  public static final String RUNNING = "gen_ai_client_dispatcher_running_calls";
  public static final String MAX_PER_HOST = "gen_ai_client_dispatcher_max_requests_per_host";
  public static final String MAX_REQUESTS = "gen_ai_client_dispatcher_max_requests";

  private static final Map<PrometheusRegistry, DispatcherMetrics> BY_REGISTRY = new WeakHashMap<>();

  private final Map<String, WeakReference<Dispatcher>> dispatchers = new ConcurrentHashMap<>();

  private DispatcherMetrics(PrometheusRegistry registry) {
    gauge(registry, QUEUED, "Calls of the OkHttp client waiting in its dispatcher's queue",
        Dispatcher::queuedCallsCount);
    gauge(registry, RUNNING, "Calls of the OkHttp client running (dispatcher slots in use)",
        Dispatcher::runningCallsCount);
    gauge(registry, MAX_PER_HOST,
        "The dispatcher's limit of concurrent asynchronous calls per host (OkHttp default 5)",
        Dispatcher::getMaxRequestsPerHost);
    gauge(registry, MAX_REQUESTS,
        "The dispatcher's limit of concurrent asynchronous calls (OkHttp default 64)",
        Dispatcher::getMaxRequests);
  }

  /** Exposes {@code client}'s dispatcher under the label {@code client="name"}. */
  public static void register(PrometheusRegistry registry, String name, OkHttpClient client) {
    Objects.requireNonNull(client, "client");
    register(registry, name, client.dispatcher());
  }

  /** Exposes {@code dispatcher} under the label {@code client="name"}. */
  public static void register(PrometheusRegistry registry, String name, Dispatcher dispatcher) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(dispatcher, "dispatcher");
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("client name is empty");
    forRegistry(registry).dispatchers.put(name, new WeakReference<>(dispatcher));
  }

  /** Stops exposing the dispatcher registered as {@code name}. */
  public static void unregister(PrometheusRegistry registry, String name) {
    Objects.requireNonNull(registry, "registry");
    forRegistry(registry).dispatchers.remove(name);
  }

  private static DispatcherMetrics forRegistry(PrometheusRegistry registry) {
    synchronized (BY_REGISTRY) {
      return BY_REGISTRY.computeIfAbsent(registry, DispatcherMetrics::new);
    }
  }

  private void gauge(PrometheusRegistry registry, String name, String help,
      ToIntFunction<Dispatcher> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("client")
        .callback(callback -> {
          for (Map.Entry<String, WeakReference<Dispatcher>> e : dispatchers.entrySet()) {
            Dispatcher d = e.getValue().get();
            if (d == null) {
              dispatchers.remove(e.getKey(), e.getValue());
            } else {
              callback.call(value.applyAsInt(d), e.getKey());
            }
          }
        })
        .register(registry);
  }
}

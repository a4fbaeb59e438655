package dev.llmpulse.langchain4j;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/** Reads values out of a registry the way a test wants them: by name and labels. */
final class Scrape {
  private final MetricSnapshots snapshots;
  private final PrometheusRegistry registry;

  private Scrape(PrometheusRegistry registry) {
    this.registry = registry;
    this.snapshots = registry.scrape();
  }

  static Scrape of(PrometheusRegistry registry) {
    return new Scrape(registry);
  }

  /**
   * The registry once a call has recorded its tokens, the last of which is {@code reasoning}.
   * LangChain4j's Anthropic and Ollama models hand the response to the application at the
   * stream's last event, a moment before the client reads the end of the body, where the call is
   * recorded.
   */
  static Scrape afterTokensOf(PrometheusRegistry registry) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    Scrape scrape = of(registry);
    while ((scrape.points("gen_ai_client_tokens", "gen_ai_token_type", "reasoning").isEmpty()
        || scrape.inFlight() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(5);
      scrape = of(registry);
    }
    // A scrape reads metric after metric: the one that saw the call leave in-flight may have read
    // others before the call recorded them. A call records everything before it leaves in-flight,
    // so a scrape taken after that sees all of it.
    return of(registry);
  }

  /** Calls in flight: once 0, every call's record is complete. */
  private double inFlight() {
    double sum = 0;
    for (DataPointSnapshot p : points("gen_ai_client_requests_in_flight")) {
      sum += ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) p)
          .getValue();
    }
    return sum;
  }

  /** Sum of a counter's data points whose labels include {@code labels} (name, value pairs). */
  double counter(String name, String... labels) {
    double sum = 0;
    for (DataPointSnapshot p : points(name, labels)) sum += ((CounterSnapshot.CounterDataPointSnapshot) p).getValue();
    return sum;
  }

  /** The single gauge point matching {@code labels}; NaN when there is none. */
  double gauge(String name, String... labels) {
    List<DataPointSnapshot> points = points(name, labels);
    if (points.isEmpty()) return Double.NaN;
    if (points.size() > 1) throw new AssertionError(points.size() + " gauge points match " + name);
    return ((GaugeSnapshot.GaugeDataPointSnapshot) points.get(0)).getValue();
  }

  /** Observation count of the histogram points matching {@code labels}. */
  long histogramCount(String name, String... labels) {
    long count = 0;
    for (DataPointSnapshot p : points(name, labels)) count += ((HistogramSnapshot.HistogramDataPointSnapshot) p).getCount();
    return count;
  }

  double histogramSum(String name, String... labels) {
    double sum = 0;
    for (DataPointSnapshot p : points(name, labels)) sum += ((HistogramSnapshot.HistogramDataPointSnapshot) p).getSum();
    return sum;
  }

  /** Label sets of every data point of {@code name}. */
  List<Labels> series(String name) {
    List<Labels> result = new ArrayList<>();
    for (DataPointSnapshot p : points(name)) result.add(p.getLabels());
    return result;
  }

  List<DataPointSnapshot> points(String name, String... labels) {
    List<DataPointSnapshot> result = new ArrayList<>();
    for (MetricSnapshot snapshot : snapshots) {
      if (!snapshot.getMetadata().getName().equals(name)) continue;
      for (DataPointSnapshot p : snapshot.getDataPoints()) {
        if (matches(p.getLabels(), labels)) result.add(p);
      }
    }
    return result;
  }

  private static boolean matches(Labels actual, String... expected) {
    for (int i = 0; i < expected.length; i += 2) {
      if (!expected[i + 1].equals(actual.get(expected[i]))) return false;
    }
    return true;
  }
}

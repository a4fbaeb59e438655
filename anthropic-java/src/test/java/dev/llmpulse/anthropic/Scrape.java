package dev.llmpulse.anthropic;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  /** The Prometheus text exposition, as /metrics would serve it. */
  String text() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, snapshots);
    return out.toString(StandardCharsets.UTF_8.name());
  }
}

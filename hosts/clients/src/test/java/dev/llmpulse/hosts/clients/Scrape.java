package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The registry's text exposition, as Prometheus scrapes it, read by metric name and labels. */
final class Scrape {
  final String text;

  private Scrape(String text) {
    this.text = text;
  }

  static Scrape of(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Scrape(out.toString(StandardCharsets.UTF_8));
  }

  /**
   * The scrape once nothing is in flight (at most 5 s): a client that hands the last chunk to the
   * app before it closes the body on its own thread (theokanning) ends the call just after.
   */
  static Scrape settled(PrometheusRegistry registry) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    Scrape scrape = of(registry);
    while (scrape.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
      scrape = of(registry);
    }
    // A scrape reads metric after metric; a call records everything before it leaves in-flight,
    // so a scrape taken after it left sees all of it.
    return of(registry);
  }

  private double inFlight() {
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("gen_ai_client_requests_in_flight{")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** The sum of the samples of {@code name} whose labels contain all of {@code labels}. */
  double value(String name, String... labels) {
    double sum = 0;
    int found = 0;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
      boolean all = true;
      for (String label : labels) all &= line.contains(label);
      if (!all) continue;
      sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      found++;
    }
    assertThat(found).as(name + " " + String.join(",", labels) + " in\n" + text).isPositive();
    return sum;
  }

  /** Whether any sample of {@code name} has all of {@code labels}. */
  boolean has(String name, String... labels) {
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
      boolean all = true;
      for (String label : labels) all &= line.contains(label);
      if (all) return true;
    }
    return false;
  }

  /** Tokens of {@code type} recorded for calls asking for {@code requestModel}. */
  double tokens(String requestModel, String type) {
    return value("gen_ai_client_tokens_total", "gen_ai_request_model=\"" + requestModel + "\"",
        "gen_ai_token_type=\"" + type + "\"");
  }

  /** Calls recorded for {@code requestModel} that ended with {@code errorType} ("" = success). */
  double calls(String requestModel, String errorType) {
    return value("gen_ai_client_operation_duration_seconds_count",
        "gen_ai_request_model=\"" + requestModel + "\"", "error_type=\"" + errorType + "\"");
  }
}

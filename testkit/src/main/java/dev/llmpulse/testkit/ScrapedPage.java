package dev.llmpulse.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Prometheus text exposition as served over HTTP (a host's {@code /actuator/prometheus}, the
 * examples' {@code /metrics}), read back sample by sample.
 *
 * <pre>{@code
 * ScrapedPage page = ScrapedPage.of(body);
 * double calls = page.sum("gen_ai_client_operation_duration_seconds_count", "gen_ai_provider_name", "openai");
 * }</pre>
 */
public final class ScrapedPage {
  public final String text;
  private final List<Sample> samples = new ArrayList<>();

  private ScrapedPage(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      samples.add(Sample.parse(line));
    }
  }

  public static ScrapedPage of(String text) {
    return new ScrapedPage(text);
  }

  /** Samples named {@code name} whose labels include {@code labels} (name, value pairs). */
  public List<Sample> samples(String name, String... labels) {
    List<Sample> result = new ArrayList<>();
    for (Sample sample : samples) {
      if (sample.name.equals(name) && sample.has(labels)) result.add(sample);
    }
    return result;
  }

  /** Sum of the matching samples; fails when there is none, so a missing series is never 0. */
  public double sum(String name, String... labels) {
    List<Sample> matching = samples(name, labels);
    if (matching.isEmpty()) {
      throw new AssertionError("no sample " + name + " " + String.join(",", labels)
          + " on the page:\n" + llmPulseLines());
    }
    double sum = 0;
    for (Sample sample : matching) sum += sample.value;
    return sum;
  }

  /** Sum of the matching samples, 0 when there is none (for before/after differences). */
  public double sumOrZero(String name, String... labels) {
    double sum = 0;
    for (Sample sample : samples(name, labels)) sum += sample.value;
    return sum;
  }

  /** The page's gen_ai_ lines, for failure messages. */
  public String llmPulseLines() {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.startsWith("gen_ai_")) out.append(line).append('\n');
    }
    return out.toString();
  }

  /** One sample line: its name, labels and value. */
  public static final class Sample {
    public final String name;
    public final Map<String, String> labels;
    public final double value;

    private Sample(String name, Map<String, String> labels, double value) {
      this.name = name;
      this.labels = labels;
      this.value = value;
    }

    /** True when the labels include {@code expected} (name, value pairs). */
    public boolean has(String... expected) {
      for (int i = 0; i < expected.length; i += 2) {
        if (!expected[i + 1].equals(labels.get(expected[i]))) return false;
      }
      return true;
    }

    /** {@code name{a="x",b="y"} value [timestamp]}, label values with \\, \" and \n escapes. */
    static Sample parse(String line) {
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      Map<String, String> labels = new LinkedHashMap<>();
      String name;
      int rest;
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        int i = brace + 1;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String label = line.substring(i, eq);
          StringBuilder value = new StringBuilder();
          int j = eq + 2;
          for (; line.charAt(j) != '"'; j++) {
            char c = line.charAt(j);
            if (c == '\\') {
              char next = line.charAt(++j);
              value.append(next == 'n' ? '\n' : next);
            } else {
              value.append(c);
            }
          }
          labels.put(label, value.toString());
          i = j + 1;
          if (line.charAt(i) == ',') i++;
        }
        rest = i + 2;
      } else {
        name = line.substring(0, space);
        rest = space + 1;
      }
      String[] fields = line.substring(rest).trim().split(" ");
      String value = fields[0].equals("+Inf") ? "Infinity" : fields[0].equals("-Inf") ? "-Infinity" : fields[0];
      return new Sample(name, labels, Double.parseDouble(value));
    }
  }
}

package dev.llmpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs promtool over the shipped Prometheus files: the configurations (server and agent) and
 * rules are valid, every alert has unit tests that fire and that stay quiet, and the tests pass.
 */
class PrometheusRulesTest {
  private final Path prometheusDir = Tools.examplesDir().resolve("prometheus");

  @Test
  void configAndRulesAreValid() throws Exception {
    Path promtool = Tools.require("promtool");
    Result result = run(promtool.toString(), "check", "config",
        prometheusDir.resolve("prometheus.yml").toString());
    assertThat(result.exitCode).as(result.output).isZero();
    Result agent = run(promtool.toString(), "check", "config",
        prometheusDir.resolve("prometheus-agent.yml").toString());
    assertThat(agent.exitCode).as(agent.output).isZero();
  }

  @Test
  void sloTargetsAreSetInOnePlace() throws IOException {
    String rules = Files.readString(prometheusDir.resolve("llm-pulse-rules.yml"));
    // The objectives appear once each, as recording rules; alerts read them, never a literal.
    assertThat(rules).containsOnlyOnce("expr: vector(0.995)").containsOnlyOnce("expr: vector(0.99)");
    assertThat(rules.split("scalar\\(llm:slo_availability:objective\\)", -1)).hasSize(5);
    assertThat(rules.split("scalar\\(llm:slo_latency:objective\\)", -1)).hasSize(5);
  }

  @Test
  void featureBudgetsAreSetInOnePlace() throws IOException {
    String rules = Files.readString(prometheusDir.resolve("llm-pulse-rules.yml"));
    // One recording rule per budgeted feature; the alert compares with them, never a literal.
    assertThat(rules.split("- record: llm:feature_budget_usd:per_day\n", -1)).hasSize(5);
    String alert = rules.substring(rules.indexOf("- alert: LlmFeatureOverDailyBudget"));
    alert = alert.substring(0, alert.indexOf("labels:"));
    assertThat(alert).contains("> on (feature) llm:feature_budget_usd:per_day")
        .doesNotContainPattern(">\\s*[0-9]");
  }

  @Test
  void alertRuleUnitTestsPass() throws Exception {
    Path promtool = Tools.require("promtool");
    List<String> command = new ArrayList<>(List.of(promtool.toString(), "test", "rules"));
    command.addAll(testFiles());
    Result result = run(command.toArray(new String[0]));
    System.out.println(result.output);
    assertThat(result.exitCode).as(result.output).isZero();
  }

  @Test
  void everyAlertIsTestedFiringAndNotFiring() throws IOException {
    String rules = Files.readString(prometheusDir.resolve("llm-pulse-rules.yml"));
    StringBuilder tests = new StringBuilder();
    for (String file : testFiles()) tests.append(Files.readString(Path.of(file)));
    List<String> alerts = rules.lines().map(String::trim).filter(l -> l.startsWith("- alert: "))
        .map(l -> l.substring("- alert: ".length())).collect(Collectors.toList());
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(16);
    String all = tests.toString();
    for (String alert : alerts) {
      assertThat(all).as("a test where %s fires", alert)
          .containsPattern("alertname: " + alert + "\\s+exp_alerts:\\s+- exp_labels:");
      assertThat(all).as("a test where %s does not fire", alert)
          .containsPattern("alertname: " + alert + "\\s+exp_alerts: \\[\\]");
    }
    assertThat(all).as("annotations name only labels that exist").doesNotContain("<no value>");
  }

  private List<String> testFiles() throws IOException {
    try (Stream<Path> files = Files.list(prometheusDir.resolve("tests"))) {
      return files.filter(p -> p.toString().endsWith(".yml")).sorted().map(Path::toString)
          .collect(Collectors.toList());
    }
  }

  static Result run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(2, TimeUnit.MINUTES)) process.destroyForcibly();
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static final class Result {
    final int exitCode;
    final String output;

    Result(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }
}

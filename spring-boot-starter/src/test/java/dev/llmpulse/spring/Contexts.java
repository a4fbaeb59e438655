package dev.llmpulse.spring;

import dev.llmpulse.testkit.ScrapedPage;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

/** Application contexts as Boot 3.5 builds them: Micrometer, its Prometheus registry, LLM Pulse. */
final class Contexts {
  private Contexts() {}

  static ApplicationContextRunner withActuator() {
    return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
        MetricsAutoConfiguration.class, PrometheusMetricsExportAutoConfiguration.class,
        LlmPulseAutoConfiguration.class));
  }

  static ApplicationContextRunner withoutActuator() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LlmPulseAutoConfiguration.class));
  }

  /** The context's Prometheus registry as /actuator/prometheus would serve it. */
  static ScrapedPage scrape(ApplicationContext context) {
    PrometheusRegistry registry = context.getBean(PrometheusRegistry.class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ScrapedPage.of(out.toString(StandardCharsets.UTF_8));
  }
}

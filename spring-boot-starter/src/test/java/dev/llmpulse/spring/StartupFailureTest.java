package dev.llmpulse.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A bad {@code llmpulse.*} value fails startup with a message that names the property. */
class StartupFailureTest {

  private static void failsNaming(String property, String... values) {
    Contexts.withActuator().withPropertyValues(values).run(context -> {
      assertThat(context).hasFailed();
      StringBuilder messages = new StringBuilder();
      for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
        messages.append(t.getMessage()).append('\n');
      }
      assertThat(messages.toString()).contains(property);
    });
  }

  @Test
  void unknownValidationMode() {
    failsNaming("llmpulse.validation", "llmpulse.validation=strict");
  }

  @Test
  void healthWindowBelowTenSeconds() {
    failsNaming("llmpulse.health.window", "llmpulse.health.window=1s");
  }

  @Test
  void ratioOutOfRange() {
    failsNaming("llmpulse.health.down-error-ratio", "llmpulse.health.down-error-ratio=1.5");
  }

  @Test
  void degradedAboveDown() {
    failsNaming("llmpulse.health.degraded-error-ratio",
        "llmpulse.health.degraded-error-ratio=0.6", "llmpulse.health.down-error-ratio=0.5");
  }

  @Test
  void blankProviderName() {
    failsNaming("llmpulse.providers", "llmpulse.providers[api.example.com]= ");
  }

  @Test
  void apiPathWithoutAKnownFormat() {
    failsNaming("llmpulse.api-paths", "llmpulse.api-paths[/llm/chat]=unknown");
  }

  @Test
  void priceFileThatIsNotThere() {
    failsNaming("llmpulse.prices.location",
        "llmpulse.prices.location=file:/nonexistent/prices.json");
  }

  @Test
  void probeWithoutBaseUrl() {
    failsNaming("llmpulse.probe.base-url", "llmpulse.probe.enabled=true",
        "llmpulse.probe.models=true");
  }

  @Test
  void probeWithNothingToProbe() {
    failsNaming("llmpulse.probe.generation-model", "llmpulse.probe.enabled=true",
        "llmpulse.probe.base-url=https://api.openai.com/v1");
  }

  @Test
  void probeFasterThanTenSeconds() {
    failsNaming("llmpulse.probe.interval", "llmpulse.probe.enabled=true",
        "llmpulse.probe.base-url=https://api.openai.com/v1", "llmpulse.probe.models=true",
        "llmpulse.probe.interval=5s");
  }
}

package dev.llmpulse.spring;

import dev.llmpulse.core.health.UpstreamStatus;
import java.util.List;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The {@code llm} health component on Spring Boot 3.x. */
final class Boot3LlmHealthIndicator implements HealthIndicator {
  private final LlmHealth health;

  Boot3LlmHealthIndicator(LlmHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    List<UpstreamStatus> upstreams = health.upstreams();
    Health.Builder builder = health.down(upstreams) ? Health.down() : Health.up();
    return builder.withDetails(health.details(upstreams)).build();
  }
}

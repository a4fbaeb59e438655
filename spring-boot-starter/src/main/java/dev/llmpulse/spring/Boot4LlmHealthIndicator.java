package dev.llmpulse.spring;

import dev.llmpulse.core.health.UpstreamStatus;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The {@code llm} health component on Spring Boot 4.x. */
final class Boot4LlmHealthIndicator implements HealthIndicator {
  private final LlmHealth health;

  Boot4LlmHealthIndicator(LlmHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    List<UpstreamStatus> upstreams = health.upstreams();
    Health.Builder builder = health.down(upstreams) ? Health.down() : Health.up();
    return builder.withDetails(health.details(upstreams)).build();
  }
}

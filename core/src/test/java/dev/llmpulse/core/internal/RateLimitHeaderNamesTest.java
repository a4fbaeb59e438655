package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A binding may look up only the headers {@link RateLimitSnapshot#mayReadHeader} accepts (the
 * OkHttp interceptor scans a response's headers once with it): whatever the headers say, parse
 * then gives the same snapshot, and every name parse asks for is one it accepts.
 */
class RateLimitHeaderNamesTest {
  private static final long NOW = 1_700_000_000_000L;
  private static final String[] VALUES = {
    "10", "0", "1.5", "-1", "abc", "", "6ms", "1m3.57s", "8.64s", "2023-11-14T22:13:30Z",
    "Tue, 14 Nov 2023 22:13:30 GMT", "30", "limit=10, remaining=5, reset=3",
    "\"default\";r=5;t=3", "\"default\";q=100;w=60", "10, 20;w=60", "7;w=1, 3;w=60",
  };

  @Test
  void everyNameParseAsksForPassesTheFilter() {
    Set<String> asked = new LinkedHashSet<>();
    Random random = new Random(17);
    for (int trial = 0; trial < 20_000; trial++) {
      Map<String, String> answers = new HashMap<>();
      double present = random.nextDouble();
      Function<String, String> headers = name -> {
        asked.add(name);
        return answers.computeIfAbsent(name, n -> random.nextDouble() < present
            ? VALUES[random.nextInt(VALUES.length)] : null);
      };
      RateLimitHeaders.parse(headers, status(random), NOW);
    }
    assertThat(asked).hasSizeGreaterThan(20).allMatch(RateLimitSnapshot::mayReadHeader)
        .as("asked in lower case: a binding may match lower-cased names with equals")
        .allMatch(name -> name.equals(name.toLowerCase(java.util.Locale.ROOT)));
  }

  @Test
  void lookingUpOnlyFilteredNamesGivesTheSameSnapshot() {
    Random random = new Random(42);
    String[] names = {
      "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-tokens",
      "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-input-tokens-limit",
      "ratelimit", "ratelimit-policy", "ratelimit-remaining", "x-ratelimit-remaining",
      "x-ratelimit-reset", "retry-after", "retry-after-ms", "x-ratelimit-remaining-req-minute",
      "content-type", "x-request-id", "openai-processing-ms", "X-RateLimit-Limit",
    };
    for (int trial = 0; trial < 20_000; trial++) {
      Map<String, String> all = new HashMap<>();
      for (String n : names) {
        if (random.nextBoolean()) all.put(n.toLowerCase(java.util.Locale.ROOT), VALUES[random.nextInt(VALUES.length)]);
      }
      Function<String, String> every = n -> all.get(n.toLowerCase(java.util.Locale.ROOT));
      Function<String, String> filtered =
          n -> RateLimitSnapshot.mayReadHeader(n) ? every.apply(n) : null;
      int status = status(random);
      assertThat(RateLimitSnapshot.parse(filtered, status, NOW))
          .isEqualTo(RateLimitSnapshot.parse(every, status, NOW));
    }
  }

  @Test
  void otherHeadersAreNotCandidates() {
    assertThat(RateLimitSnapshot.mayReadHeader("content-type")).isFalse();
    assertThat(RateLimitSnapshot.mayReadHeader("x-request-id")).isFalse();
    assertThat(RateLimitSnapshot.mayReadHeader("openai-processing-ms")).isFalse();
    assertThat(RateLimitSnapshot.mayReadHeader("Retry-After")).isTrue();
    assertThat(RateLimitSnapshot.mayReadHeader("Anthropic-RateLimit-Requests-Reset")).isTrue();
  }

  private static int status(Random random) {
    int[] statuses = {200, 429, 503, 529, 500};
    return statuses[random.nextInt(statuses.length)];
  }
}

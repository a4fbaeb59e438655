package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The header-name comparisons of the rate-limit scan answer exactly as the JDK's case-insensitive
 * ones, for ASCII names and for names with characters whose case folds onto ASCII letters.
 */
class HeaderNameCaseTest {
  private static final String ALPHABET = "aArRtTeEiIlLmMxX-_0 ~\u00b5\u00e9\u00c9\u00ff"
      + "\u0131\u0130\u212a\u017f\u00df";
  private static final String[] NAMES = {"x-ratelimit-remaining-requests", "ratelimit",
      "retry-after", "anthropic-ratelimit-tokens-reset", "content-type", "Content-Encoding",
      "RateLimit-Policy", "retry-after-ms"};

  @Test
  void equalsAndRegionMatchAsTheJdkOnMutatedNames() {
    Random random = new Random(20);
    for (int i = 0; i < 200_000; i++) {
      String asked = NAMES[random.nextInt(NAMES.length)];
      String header = mutate(asked, random);
      assertThat(RateLimitHeaders.equalsIgnoringCase(header, asked))
          .as("%s vs %s", header, asked).isEqualTo(header.equalsIgnoreCase(asked));
      int at = random.nextInt(header.length() + 2) - 1;
      String region = random.nextBoolean() ? "ratelimit" : "retry-after";
      assertThat(RateLimitHeaders.regionIgnoringCase(header, at, region))
          .as("%s at %d vs %s", header, at, region)
          .isEqualTo(header.regionMatches(true, at, region, 0, region.length()));
    }
  }

  @Test
  void theScanFindsNamesWhoseCaseFoldsOntoTheAskedOnes() {
    assertThat(RateLimitSnapshot.mayReadHeader("X-RATELIMIT-Remaining-Requests")).isTrue();
    assertThat(RateLimitSnapshot.mayReadHeader("x-rateL\u0131mit-remaining-requests")).isTrue();
    assertThat(RateLimitSnapshot.isHeader("x-rateL\u0131mit-remaining-requests",
        "x-ratelimit-remaining-requests")).isTrue();
    assertThat(RateLimitSnapshot.mayReadHeader("x-request-id")).isFalse();
    assertThat(RateLimitSnapshot.isHeader("content-typf", "content-type")).isFalse();
  }

  /** The name with a few characters replaced, its case flipped, cut or lengthened. */
  private static String mutate(String name, Random random) {
    StringBuilder sb = new StringBuilder(name);
    int edits = random.nextInt(4);
    for (int e = 0; e < edits && sb.length() > 0; e++) {
      int at = random.nextInt(sb.length());
      switch (random.nextInt(4)) {
        case 0:
          sb.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
          break;
        case 1:
          char c = sb.charAt(at);
          sb.setCharAt(at, Character.isUpperCase(c) ? Character.toLowerCase(c)
              : Character.toUpperCase(c));
          break;
        case 2:
          sb.setLength(at);
          break;
        default:
          sb.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return sb.toString();
  }
}

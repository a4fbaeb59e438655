package dev.llmpulse.examples;

import java.util.Locale;

/** What the fake upstream does; switchable while the demo runs. */
public enum Scenario {
  /** About 0.2 s per answer, streams start after about 0.2 s; rate-limit headroom is ample. */
  NORMAL,
  /**
   * The story of ORIGIN.md: answers take 15 s (streams start after 15 s) for a while, then the
   * upstream answers 429 with {@code Retry-After} and an exhausted request window.
   */
  INCIDENT,
  /** HTTP 200 with broken answers: truncated JSON, empty {@code choices}, streams cut short. */
  GHOST,
  /** Nothing listens: every call fails with "connection refused". */
  OUTAGE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code normal}, {@code incident}, {@code ghost} or {@code outage}, any case. */
  public static Scenario parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown scenario '" + name + "': use normal, incident, ghost or outage");
    }
  }
}

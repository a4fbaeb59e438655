package dev.llmpulse.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The parsing behind {@link RateLimitSnapshot#parse}: header names per family and hand-written
 * value parsers (no regular expressions, no java.time, no exceptions on any input).
 *
 * <p>Values live in one {@code double[]} of {@link #SLOTS} slots: {@code type * 3 + field} for
 * the four limit types and {@link #RETRY_AFTER} last. NaN means unknown. The array is allocated
 * only once a value is found, so a response without rate-limit headers costs a handful of
 * lookups and nothing else.
 */
final class RateLimitHeaders {
  static final int LIMIT = 0;
  static final int REMAINING = 1;
  static final int RESET = 2;
  static final int RETRY_AFTER = 12;
  static final int SLOTS = 13;

  private static final int REQUESTS = 0;
  private static final int TOKENS = 1;

  /** Largest Go duration (int64 nanoseconds), in seconds; Go rejects longer ones. */
  private static final double MAX_GO_DURATION_SECONDS = 9_223_372_036.854775807;

  // [limit type][field]; a null row means the family has no such type, a null name no such field.
  private static final String[][] ANTHROPIC = {
    {"anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-requests-reset"},
    {"anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining",
        "anthropic-ratelimit-tokens-reset"},
    {"anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
        "anthropic-ratelimit-input-tokens-reset"},
    {"anthropic-ratelimit-output-tokens-limit", "anthropic-ratelimit-output-tokens-remaining",
        "anthropic-ratelimit-output-tokens-reset"},
  };
  private static final String[][] OPENAI = {
    {"x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"},
    {"x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"},
    null,
    null,
  };
  private static final String[][] MISTRAL_MINUTE = {
    {"x-ratelimit-limit-req-minute", "x-ratelimit-remaining-req-minute", null},
    {"x-ratelimit-limit-tokens-minute", "x-ratelimit-remaining-tokens-minute", null},
    null,
    null,
  };
  private static final String[][] MISTRAL_MONTH = {
    {"x-ratelimit-limit-req-month", "x-ratelimit-remaining-req-month", null},
    {"x-ratelimit-limit-tokens-month", "x-ratelimit-remaining-tokens-month", null},
    null,
    null,
  };

  private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";
  private static final double[] POW10 = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18
  };

  private RateLimitHeaders() {}

  /**
   * True for every header name {@link #parse} may look up (and for a few it never does): {@code
   * ratelimit} at the start, after {@code x-} or after {@code anthropic-}, and {@code
   * retry-after[-ms]}. A binding may scan a response's headers once with it and let parse look
   * up only those; parse then gives the same values.
   */
  static boolean mayBeRead(String name) {
    int n = name.length(); // most names fail on one char: no 'r' where a candidate has one
    return n >= 9 && isR(name.charAt(0)) && (regionIgnoringCase(name, 0, "ratelimit")
            || n >= 11 && regionIgnoringCase(name, 0, "retry-after"))
        || n >= 11 && isR(name.charAt(2)) && regionIgnoringCase(name, 2, "ratelimit")
        || n >= 19 && isR(name.charAt(10)) && regionIgnoringCase(name, 10, "ratelimit");
  }

  private static boolean isR(char c) {
    return c == 'r' || c == 'R';
  }

  /**
   * {@code name.regionMatches(true, at, other, 0, other.length())}, faster: ASCII characters are
   * compared by bit (the JDK's case fold per character cost more than the rest of the header
   * scan); where either has another character the JDK answers.
   */
  static boolean regionIgnoringCase(String name, int at, String other) {
    int n = other.length();
    if (at < 0 || at + n > name.length()) return false;
    for (int i = 0; i < n; i++) {
      char c = name.charAt(at + i);
      char t = other.charAt(i);
      if (c == t) continue;
      if (c >= 0x80 || t >= 0x80) return name.regionMatches(true, at, other, 0, n);
      int folded = c | 0x20;
      if (folded < 'a' || folded > 'z' || folded != (t | 0x20)) return false;
    }
    return true;
  }

  /** {@code a.equalsIgnoreCase(b)} for non-null strings, faster; see above. */
  static boolean equalsIgnoringCase(String a, String b) {
    return a.length() == b.length() && regionIgnoringCase(a, 0, b);
  }

  /** The values found, or null when nothing usable was found. Never throws on header values. */
  static double[] parse(Function<String, String> h, int status, long nowMillis) {
    double[] out = null;
    out = family(h, ANTHROPIC, nowMillis, out);
    out = family(h, OPENAI, nowMillis, out);
    if (!claimed(out, REQUESTS) || !claimed(out, TOKENS)) {
      out = family(h, MISTRAL_MINUTE, nowMillis, out);
      out = family(h, MISTRAL_MONTH, nowMillis, out);
    }
    if (!claimed(out, REQUESTS)) {
      String rateLimit = h.apply("ratelimit");
      if (rateLimit != null) {
        out = ietf(rateLimit, h, nowMillis, out);
      }
    }
    if (!claimed(out, REQUESTS)) {
      String remaining = h.apply("ratelimit-remaining"); // IETF drafts 00-06: separate fields
      if (remaining != null) {
        out = set(out, REQUESTS,
            firstListNumber(h.apply("ratelimit-limit")),
            firstListNumber(remaining),
            resetFromNumber(firstListNumber(h.apply("ratelimit-reset")), nowMillis));
      }
    }
    if (!claimed(out, REQUESTS)) {
      String remaining = h.apply("x-ratelimit-remaining");
      if (remaining != null) {
        out = set(out, REQUESTS,
            count(h.apply("x-ratelimit-limit")),
            count(remaining),
            reset(h.apply("x-ratelimit-reset"), nowMillis));
      }
    }
    if (status == 429 || status == 503 || status == 529) {
      double retry = count(h.apply("retry-after-ms")) / 1000.0;
      if (Double.isNaN(retry)) {
        retry = retryAfter(h.apply("retry-after"), nowMillis);
      }
      if (!Double.isNaN(retry)) {
        out = ensure(out);
        out[RETRY_AFTER] = retry;
      }
    }
    return out;
  }

  /**
   * Reads one header family. A type is read only when its remaining header is present and no
   * earlier family claimed the type; the family then owns limit, remaining and reset of that type
   * (values of two families are never mixed within a type: their windows may differ).
   */
  private static double[] family(
      Function<String, String> h, String[][] names, long nowMillis, double[] out) {
    for (int type = 0; type < names.length; type++) {
      String[] n = names[type];
      if (n == null || claimed(out, type)) {
        continue;
      }
      String remaining = h.apply(n[REMAINING]);
      if (remaining == null) {
        continue;
      }
      out = set(out, type,
          count(h.apply(n[LIMIT])),
          count(remaining),
          n[RESET] == null ? Double.NaN : reset(h.apply(n[RESET]), nowMillis));
    }
    return out;
  }

  private static boolean claimed(double[] out, int type) {
    if (out == null) {
      return false;
    }
    int base = type * 3;
    return !Double.isNaN(out[base]) || !Double.isNaN(out[base + 1])
        || !Double.isNaN(out[base + 2]);
  }

  /** Stores a type's values when at least one is known (all-garbage leaves the type free). */
  private static double[] set(double[] out, int type, double limit, double remaining,
      double reset) {
    if (Double.isNaN(limit) && Double.isNaN(remaining) && Double.isNaN(reset)) {
      return out;
    }
    out = ensure(out);
    int base = type * 3;
    out[base + LIMIT] = limit;
    out[base + REMAINING] = remaining;
    out[base + RESET] = reset;
    return out;
  }

  private static double[] ensure(double[] out) {
    if (out != null) {
      return out;
    }
    double[] fresh = new double[SLOTS];
    java.util.Arrays.fill(fresh, Double.NaN);
    return fresh;
  }

  // ---------------------------------------------------------------- values

  /** A non-negative decimal count ({@code 123}, {@code 1.5}); anything else is NaN. */
  static double count(String v) {
    return v == null ? Double.NaN : decimal(v, 0, v.length());
  }

  /** The number before the first {@code ,} or {@code ;} (IETF list fields), else NaN. */
  private static double firstListNumber(String v) {
    if (v == null) {
      return Double.NaN;
    }
    int end = 0;
    while (end < v.length() && v.charAt(end) != ',' && v.charAt(end) != ';') {
      end++;
    }
    return decimal(v, 0, end);
  }

  /**
   * Parses {@code DIGITS [ "." DIGITS ]} between optional spaces/tabs. No sign, exponent, hex,
   * {@code NaN}, {@code Infinity} or type suffix (all of which {@link Double#parseDouble} would
   * take). Allocation-free for integers of up to 18 digits.
   */
  static double decimal(String s, int from, int to) {
    while (from < to && isOws(s.charAt(from))) {
      from++;
    }
    while (to > from && isOws(s.charAt(to - 1))) {
      to--;
    }
    if (from == to) {
      return Double.NaN;
    }
    int i = from;
    long acc = 0;
    while (i < to && isDigit(s.charAt(i))) {
      acc = acc * 10 + (s.charAt(i) - '0'); // may wrap past 18 digits; unused then
      i++;
    }
    int intDigits = i - from;
    if (intDigits == 0) {
      return Double.NaN;
    }
    if (i == to && intDigits <= 18) {
      return acc;
    }
    if (i < to) {
      if (s.charAt(i) != '.') {
        return Double.NaN;
      }
      int fracStart = ++i;
      while (i < to && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == fracStart || i != to) {
        return Double.NaN;
      }
    }
    double d = Double.parseDouble(s.substring(from, to)); // grammar checked: cannot throw
    return Double.isInfinite(d) ? Double.NaN : d;
  }

  /**
   * A reset value in any of the forms seen in the wild, as absolute unix seconds: a bare number
   * (see {@link #resetFromNumber}), a Go duration ({@code 1m3.57s}, delta), RFC 3339 (absolute)
   * or an HTTP date (absolute).
   */
  static double reset(String v, long nowMillis) {
    if (v == null) {
      return Double.NaN;
    }
    int from = 0;
    int to = v.length();
    while (from < to && isOws(v.charAt(from))) {
      from++;
    }
    while (to > from && isOws(v.charAt(to - 1))) {
      to--;
    }
    if (from == to) {
      return Double.NaN;
    }
    double d = decimal(v, from, to);
    if (!Double.isNaN(d)) {
      return resetFromNumber(d, nowMillis);
    }
    d = goDuration(v, from, to);
    if (!Double.isNaN(d)) {
      return nowMillis / 1000.0 + d;
    }
    d = rfc3339(v, from, to);
    if (!Double.isNaN(d)) {
      return d;
    }
    return httpDate(v, from, to);
  }

  /** Bare number: above 1e12 epoch milliseconds, above 1e9 epoch seconds, else delta seconds. */
  static double resetFromNumber(double d, long nowMillis) {
    if (Double.isNaN(d)) {
      return Double.NaN;
    }
    if (d > 1e12) {
      return d / 1000.0;
    }
    if (d > 1e9) {
      return d;
    }
    return nowMillis / 1000.0 + d;
  }

  /** Retry-After: delay seconds, or an HTTP date (a past date means 0). */
  private static double retryAfter(String v, long nowMillis) {
    if (v == null) {
      return Double.NaN;
    }
    double d = decimal(v, 0, v.length());
    if (!Double.isNaN(d)) {
      return d;
    }
    int from = 0;
    int to = v.length();
    while (from < to && isOws(v.charAt(from))) {
      from++;
    }
    while (to > from && isOws(v.charAt(to - 1))) {
      to--;
    }
    double at = httpDate(v, from, to);
    return Double.isNaN(at) ? Double.NaN : Math.max(0.0, at - nowMillis / 1000.0);
  }

  /**
   * Go's {@code time.Duration} text ({@code [+](NUMBER UNIT)+}, units ns, us, µs, μs, ms, s, m, h)
   * in seconds; negative or malformed is NaN. Also takes {@code Âµs}: U+00B5 sent as UTF-8 and
   * read as Latin-1.
   */
  static double goDuration(String s, int from, int to) {
    int i = from;
    if (i < to && s.charAt(i) == '+') {
      i++;
    }
    if (i == to) {
      return Double.NaN;
    }
    double total = 0;
    while (i < to) {
      double intPart = 0;
      int start = i;
      while (i < to && isDigit(s.charAt(i))) {
        intPart = intPart * 10 + (s.charAt(i) - '0');
        i++;
      }
      boolean digits = i > start;
      double frac = 0;
      if (i < to && s.charAt(i) == '.') {
        i++;
        long f = 0;
        int k = 0;
        int fracStart = i;
        while (i < to && isDigit(s.charAt(i))) {
          if (k < 18) {
            f = f * 10 + (s.charAt(i) - '0');
            k++;
          }
          i++;
        }
        digits |= i > fracStart;
        frac = f / POW10[k];
      }
      if (!digits) {
        return Double.NaN;
      }
      int unitStart = i;
      while (i < to && !isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      double value = intPart + frac;
      switch (unitCode(s, unitStart, i)) {
        case 'h':
          value *= 3600;
          break;
        case 'm':
          value *= 60;
          break;
        case 's':
          break;
        case 'l': // ms
          value /= 1e3;
          break;
        case 'u': // us, µs, μs
          value /= 1e6;
          break;
        case 'n':
          value /= 1e9;
          break;
        default:
          return Double.NaN;
      }
      total += value;
      if (!(total <= MAX_GO_DURATION_SECONDS)) {
        return Double.NaN;
      }
    }
    return total;
  }

  /** h, m, s, l (ms), u (micro), n (ns), or 0 for anything else. */
  private static char unitCode(String s, int from, int to) {
    int n = to - from;
    if (n == 1) {
      char c = s.charAt(from);
      return c == 'h' || c == 'm' || c == 's' ? c : 0;
    }
    if (n == 2 && s.charAt(from + 1) == 's') {
      char c = s.charAt(from);
      if (c == 'm') {
        return 'l';
      }
      if (c == 'u' || c == '\u00b5' || c == '\u03bc') {
        return 'u';
      }
      return c == 'n' ? 'n' : 0;
    }
    if (n == 3 && s.charAt(from) == '\u00c2' && s.charAt(from + 1) == '\u00b5'
        && s.charAt(from + 2) == 's') {
      return 'u';
    }
    return 0;
  }

  /**
   * RFC 3339 date-time ({@code 2024-10-20T22:48:55.5+02:00}; {@code t}, space, {@code z} and
   * {@code +0200} tolerated) as unix seconds, or NaN.
   */
  static double rfc3339(String s, int from, int to) {
    if (to - from < 20) {
      return Double.NaN;
    }
    int year = digits(s, from, 4, to);
    int month = digits(s, from + 5, 2, to);
    int day = digits(s, from + 8, 2, to);
    char sep = s.charAt(from + 10);
    int second = timeOfDay(s, from + 11, to);
    if (year < 0 || s.charAt(from + 4) != '-' || s.charAt(from + 7) != '-' || month < 1
        || month > 12 || day < 1 || day > daysInMonth(year, month)
        || (sep != 'T' && sep != 't' && sep != ' ') || second < 0) {
      return Double.NaN;
    }
    int i = from + 19;
    double frac = 0;
    if (i < to && s.charAt(i) == '.') {
      int start = ++i;
      long f = 0;
      int k = 0;
      while (i < to && isDigit(s.charAt(i))) {
        if (k < 9) {
          f = f * 10 + (s.charAt(i) - '0');
          k++;
        }
        i++;
      }
      if (i == start) {
        return Double.NaN;
      }
      frac = f / POW10[k];
    }
    if (i >= to) {
      return Double.NaN;
    }
    char c = s.charAt(i);
    int offset;
    if (c == 'Z' || c == 'z') {
      offset = 0;
      i++;
    } else if (c == '+' || c == '-') {
      int oh = digits(s, i + 1, 2, to);
      int om;
      if (i + 3 < to && s.charAt(i + 3) == ':') {
        om = digits(s, i + 4, 2, to);
        i += 6;
      } else {
        om = digits(s, i + 3, 2, to);
        i += 5;
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) {
        return Double.NaN;
      }
      offset = (c == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return Double.NaN;
    }
    if (i != to) {
      return Double.NaN;
    }
    return epochDay(year, month, day) * 86400L + second - offset + frac;
  }

  /**
   * HTTP date (RFC 9110: IMF-fixdate {@code Sun, 06 Nov 1994 08:49:37 GMT}, obsolete RFC 850
   * {@code Sunday, 06-Nov-94 08:49:37 GMT} and asctime {@code Sun Nov  6 08:49:37 1994}) as unix
   * seconds, or NaN.
   */
  static double httpDate(String s, int from, int to) {
    int i = from;
    while (i < to && isAlpha(s.charAt(i))) {
      i++;
    }
    if (i - from < 3 || i >= to) {
      return Double.NaN;
    }
    int day;
    int month;
    int year;
    int second;
    if (s.charAt(i) == ',') {
      i = skipSpaces(s, i + 1, to);
      int start = i;
      day = 0;
      while (i < to && isDigit(s.charAt(i)) && i - start < 2) {
        day = day * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start || i >= to) {
        return Double.NaN;
      }
      char sep = s.charAt(i);
      if (sep != ' ' && sep != '-') {
        return Double.NaN;
      }
      month = month(s, i + 1, to);
      i += 4;
      if (month < 0 || i >= to || s.charAt(i) != sep) {
        return Double.NaN;
      }
      start = ++i;
      year = 0;
      while (i < to && isDigit(s.charAt(i)) && i - start < 4) {
        year = year * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i - start == 2) {
        year += year < 70 ? 2000 : 1900;
      } else if (i - start != 4) {
        return Double.NaN;
      }
      if (i >= to || s.charAt(i) != ' ') {
        return Double.NaN;
      }
      i = skipSpaces(s, i, to);
      second = timeOfDay(s, i, to);
      i += 8;
      if (second < 0 || i >= to || s.charAt(i) != ' ') {
        return Double.NaN;
      }
      i = skipSpaces(s, i, to);
      if (!s.regionMatches(true, i, "GMT", 0, 3) && !s.regionMatches(true, i, "UTC", 0, 3)) {
        return Double.NaN;
      }
      if (skipSpaces(s, i + 3, to) != to) {
        return Double.NaN;
      }
    } else {
      if (s.charAt(i) != ' ') {
        return Double.NaN;
      }
      i = skipSpaces(s, i, to);
      month = month(s, i, to);
      i += 3;
      if (month < 0 || i >= to || s.charAt(i) != ' ') {
        return Double.NaN;
      }
      i = skipSpaces(s, i, to);
      int start = i;
      day = 0;
      while (i < to && isDigit(s.charAt(i)) && i - start < 2) {
        day = day * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start || i >= to || s.charAt(i) != ' ') {
        return Double.NaN;
      }
      second = timeOfDay(s, i + 1, to);
      i += 9;
      if (second < 0 || i >= to || s.charAt(i) != ' ') {
        return Double.NaN;
      }
      i = skipSpaces(s, i, to);
      year = digits(s, i, 4, to);
      if (year < 0 || skipSpaces(s, i + 4, to) != to) {
        return Double.NaN;
      }
    }
    if (day < 1 || day > daysInMonth(year, month)) {
      return Double.NaN;
    }
    return epochDay(year, month, day) * 86400.0 + second;
  }

  /** {@code HH:MM:SS} (second 60 allowed for leap seconds) as seconds of the day, or -1. */
  private static int timeOfDay(String s, int at, int to) {
    int h = digits(s, at, 2, to);
    int m = digits(s, at + 3, 2, to);
    int sec = digits(s, at + 6, 2, to);
    if (h < 0 || m < 0 || sec < 0 || s.charAt(at + 2) != ':' || s.charAt(at + 5) != ':'
        || h > 23 || m > 59 || sec > 60) {
      return -1;
    }
    return h * 3600 + m * 60 + sec;
  }

  /** Exactly {@code n} ASCII digits at {@code at} (all before {@code to}), or -1. */
  private static int digits(String s, int at, int n, int to) {
    if (at < 0 || at + n > to) {
      return -1;
    }
    int v = 0;
    for (int i = at; i < at + n; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Three-letter English month name, any case, as 1..12, or -1. */
  private static int month(String s, int at, int to) {
    if (at + 3 > to) {
      return -1;
    }
    for (int m = 0; m < 12; m++) {
      if (s.regionMatches(true, at, MONTHS, m * 3, 3)) {
        return m + 1;
      }
    }
    return -1;
  }

  private static int daysInMonth(int year, int month) {
    switch (month) {
      case 2:
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
      case 4:
      case 6:
      case 9:
      case 11:
        return 30;
      default:
        return 31;
    }
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
  private static long epochDay(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }

  private static int skipSpaces(String s, int i, int to) {
    while (i < to && s.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  // ---------------------------------------------------------------- IETF RateLimit

  /**
   * {@code RateLimit}: draft-07 dictionary {@code limit=100, remaining=50, reset=30}, or the
   * structured list of draft-08 and later {@code "default";r=50;t=30} with {@code q} (quota) and
   * {@code qu} (quota unit) from the same-named {@code RateLimit-Policy} item. Only policies whose
   * unit is requests (the default) count; of several, the one with the fewest remaining wins,
   * since it is the one that will throttle first.
   */
  private static double[] ietf(String field, Function<String, String> h, long nowMillis,
      double[] out) {
    Sf p = new Sf(field);
    double dLimit = Double.NaN;
    double dRemaining = Double.NaN;
    double dReset = Double.NaN;
    boolean haveBest = false;
    double bestR = Double.NaN;
    double bestT = Double.NaN;
    double bestQ = Double.NaN;
    List<Policy> policies = null;
    while (!p.atEnd()) {
      if (p.peek() == '(' || !p.item()) { // inner lists never carry a policy we read
        p.skipMember();
        continue;
      }
      if (p.kind == Sf.NAME && p.token && p.peek() == '=') { // draft-07 dictionary member
        String key = p.name;
        p.i++;
        if (!p.item()) {
          p.skipMember();
          continue;
        }
        double value = p.kind == Sf.NUMBER ? p.num : Double.NaN;
        if (!p.params() || !p.endMember()) {
          p.skipMember();
          continue;
        }
        if (key.equals("limit")) {
          dLimit = value;
        } else if (key.equals("remaining")) {
          dRemaining = value;
        } else if (key.equals("reset")) {
          dReset = value;
        }
        continue;
      }
      String name = p.kind == Sf.NAME ? p.name : null;
      if (!p.params() || !p.endMember()) {
        p.skipMember();
        continue;
      }
      double r = p.pr;
      double t = p.pt;
      if (Double.isNaN(r) && Double.isNaN(t)) {
        continue;
      }
      if (policies == null) {
        policies = policies(h.apply("ratelimit-policy"));
      }
      Policy policy = find(policies, name);
      if (policy != null && !policy.requests) {
        continue;
      }
      if (!haveBest || (!Double.isNaN(r) && !(bestR <= r))) {
        haveBest = true;
        bestR = r;
        bestT = t;
        bestQ = policy == null ? Double.NaN : policy.quota;
      }
    }
    if (haveBest) {
      return set(out, REQUESTS, bestQ, bestR, resetFromNumber(bestT, nowMillis));
    }
    return set(out, REQUESTS, dLimit, dRemaining, resetFromNumber(dReset, nowMillis));
  }

  private static List<Policy> policies(String field) {
    List<Policy> list = new ArrayList<>(2);
    if (field == null) {
      return list;
    }
    Sf p = new Sf(field);
    while (!p.atEnd()) {
      if (p.peek() == '(' || !p.item()) {
        p.skipMember();
        continue;
      }
      String name = p.kind == Sf.NAME ? p.name : null;
      if (!p.params() || !p.endMember()) {
        p.skipMember();
        continue;
      }
      if (name != null) {
        list.add(new Policy(name, p.pq, p.pqu == null || p.pqu.equals("requests")));
      }
    }
    return list;
  }

  private static Policy find(List<Policy> policies, String name) {
    if (name == null) {
      return null;
    }
    for (Policy policy : policies) {
      if (policy.name.equals(name)) {
        return policy;
      }
    }
    return null;
  }

  private static final class Policy {
    final String name;
    final double quota;
    final boolean requests;

    Policy(String name, double quota, boolean requests) {
      this.name = name;
      this.quota = quota;
      this.requests = requests;
    }
  }

  /**
   * A lenient cursor over an RFC 9651 structured field: enough to read list members, dictionary
   * members and parameters. A malformed member is skipped, not fatal.
   */
  private static final class Sf {
    static final int NAME = 1;
    static final int NUMBER = 2;
    static final int OTHER = 3;

    final String s;
    final int to;
    int i;
    // the last bare item
    int kind;
    boolean token;
    String name;
    double num;
    // the parameters of the last member
    double pr;
    double pt;
    double pq;
    String pqu;

    Sf(String s) {
      this.s = s;
      this.to = s.length();
    }

    char peek() {
      return i < to ? s.charAt(i) : 0;
    }

    boolean atEnd() {
      while (i < to && isOws(s.charAt(i))) {
        i++;
      }
      return i >= to;
    }

    /** Reads a bare item at the cursor; false on a syntax error. */
    boolean item() {
      if (i >= to) {
        return false;
      }
      char c = s.charAt(i);
      if (c == '"') {
        StringBuilder sb = null;
        int j = i + 1;
        int runStart = j;
        while (true) {
          if (j >= to) {
            return false;
          }
          char d = s.charAt(j);
          if (d == '"') {
            break;
          }
          if (d < 0x20 || d >= 0x7f) {
            return false;
          }
          if (d == '\\') {
            if (j + 1 >= to || (s.charAt(j + 1) != '"' && s.charAt(j + 1) != '\\')) {
              return false;
            }
            if (sb == null) {
              sb = new StringBuilder();
            }
            sb.append(s, runStart, j).append(s.charAt(j + 1));
            j += 2;
            runStart = j;
            continue;
          }
          j++;
        }
        name = sb == null ? s.substring(i + 1, j) : sb.append(s, runStart, j).toString();
        kind = NAME;
        token = false;
        i = j + 1;
        return true;
      }
      if (isAlpha(c) || c == '*') {
        int j = i + 1;
        while (j < to && isTokenChar(s.charAt(j))) {
          j++;
        }
        name = s.substring(i, j);
        kind = NAME;
        token = true;
        i = j;
        return true;
      }
      if (c == '-' || isDigit(c)) {
        int j = c == '-' ? i + 1 : i;
        int start = j;
        while (j < to && (isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        num = c == '-' ? Double.NaN : decimal(s, start, j); // a negative count is unknown
        kind = NUMBER;
        i = j;
        return true;
      }
      if (c == '?' && i + 1 < to && (s.charAt(i + 1) == '0' || s.charAt(i + 1) == '1')) {
        kind = OTHER;
        i += 2;
        return true;
      }
      if (c == ':') {
        int j = s.indexOf(':', i + 1);
        if (j < 0) {
          return false;
        }
        kind = OTHER;
        i = j + 1;
        return true;
      }
      return false;
    }

    /** Reads {@code ;key[=item]} parameters, keeping r, t, q and qu. False on a syntax error. */
    boolean params() {
      pr = Double.NaN;
      pt = Double.NaN;
      pq = Double.NaN;
      pqu = null;
      while (i < to && s.charAt(i) == ';') {
        i++;
        while (i < to && s.charAt(i) == ' ') {
          i++;
        }
        int keyStart = i;
        while (i < to && isKeyChar(s.charAt(i))) {
          i++;
        }
        int keyLength = i - keyStart;
        if (keyLength == 0) {
          return false;
        }
        double value = Double.NaN;
        String text = null;
        if (i < to && s.charAt(i) == '=') {
          i++;
          if (!item()) {
            return false;
          }
          if (kind == NUMBER) {
            value = num;
          } else if (kind == NAME) {
            text = name;
          }
        }
        if (keyLength == 1) {
          char k = s.charAt(keyStart);
          if (k == 'r') {
            pr = value;
          } else if (k == 't') {
            pt = value;
          } else if (k == 'q') {
            pq = value;
          }
        } else if (keyLength == 2 && s.startsWith("qu", keyStart)) {
          pqu = text == null ? "" : text;
        }
      }
      return true;
    }

    /** After a member: optional spaces, then a comma (consumed) or the end. */
    boolean endMember() {
      while (i < to && isOws(s.charAt(i))) {
        i++;
      }
      if (i >= to) {
        return true;
      }
      if (s.charAt(i) == ',') {
        i++;
        return true;
      }
      return false;
    }

    /** Moves past the next comma outside a quoted string, or to the end. */
    void skipMember() {
      boolean quoted = false;
      while (i < to) {
        char c = s.charAt(i++);
        if (quoted) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            quoted = false;
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          return;
        }
      }
    }

    private static boolean isTokenChar(char c) {
      return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0;
    }

    private static boolean isKeyChar(char c) {
      return (c >= 'a' && c <= 'z') || isDigit(c) || c == '_' || c == '-' || c == '.'
          || c == '*';
    }
  }
}

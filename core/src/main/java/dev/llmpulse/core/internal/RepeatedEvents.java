package dev.llmpulse.core.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The events of a stream mostly repeat the one before: an OpenAI chunk is ~280 bytes of which
 * only the delta's few characters change ({@code id}, {@code created}, {@code model} and the rest
 * are the same in every chunk), an Anthropic {@code content_block_delta} the same around its
 * {@code text}. An event that equals the previous whole event but for the content of one string,
 * and whose new content is plain ASCII (no quote, backslash, control or non-ASCII byte), makes
 * exactly the tokenizer calls the previous one made, but for that string and the positions after
 * it: those calls are made again from the previous event's {@link JsonTokenizer.TokenLog} instead
 * of tokenizing the event anew. The readers see the same calls either way, less the values they
 * said they ignore whatever their state ({@link FormatReader#onScalar}), so every recorded value
 * and verdict is the same ({@code RepeatedEventsTest} holds the two paths to each other on every
 * recorded stream, cut and mutated).
 *
 * <p>What makes it exact: the tokenizer is deterministic and reads no byte ahead of a token's
 * end but the one that ends it, so at the string's opening quote it is where it was in the
 * previous event; a plain string is one token whatever its content; the bytes after it are the
 * previous event's, so the rest is the same tokens at shifted positions. Only a previous event
 * that was a whole, valid JSON object ending at its last byte is a template (a cut, malformed or
 * trailing document is not), and not one that starts with a byte order mark (only the stream's
 * first byte may start one).
 *
 * <p>The same comparison saves the SSE decoder most of its line scan ({@link
 * #knownLineStart}): bytes that repeat a one-line template hold no line end.
 */
final class RepeatedEvents {
  /** Larger events are tokenized in full (and never copied as a template). */
  static final int MAX_EVENT_BYTES = 4096;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final JsonTokenizer tokenizer;
  private final JsonWalker walker; // the tokenizer's handler, which writes its calls down
  private final JsonTokenizer.TokenLog log = new JsonTokenizer.TokenLog();
  private byte[] template; // made when first kept
  private int templateLength = -1; // -1: no template
  private boolean templateOneLine; // the template holds no \n or \r
  // The SSE decoder's prefix comparison of the event being read (knownLineStart), reused by
  // matches for the same bytes: where it ran and how many bytes matched.
  private byte[] prefixSource;
  private int prefixFrom;
  private int prefixRun;
  private boolean tailLineEnd; // closersOnlyAfter saw a \n or \r in the event's tail
  private boolean recording;
  // The last match: the log's call whose string changed (-1: none) and by how many bytes.
  private int changed;
  private int lastChanged = -1; // the last changed call of this log, tried first (stringAt)
  private int delta;
  private int replays;

  RepeatedEvents(JsonTokenizer tokenizer, JsonWalker walker) {
    this.tokenizer = tokenizer;
    this.walker = walker;
  }

  /**
   * True when the event at {@code offset} repeats the template but for one string's plain
   * content; then {@link #replay} hands it over. Reads only.
   */
  boolean matches(byte[] data, int offset, int length) {
    int previous = templateLength;
    boolean compared = data == prefixSource && offset == prefixFrom;
    prefixSource = null;
    if (previous < 0 || length > MAX_EVENT_BYTES) return false;
    int end = offset + length;
    int m;
    if (compared) { // the decoder compared these bytes already, as far as its piece reached
      int shorter = Math.min(previous, length);
      m = prefixRun < shorter ? prefixRun : previous == length ? -1 : shorter;
    } else {
      m = Arrays.mismatch(template, 0, previous, data, offset, end);
    }
    tailLineEnd = false;
    if (m < 0) { // the very same bytes
      changed = -1;
      delta = 0;
      return true;
    }
    // The common suffix, not reaching back over the common prefix on either side.
    int limit = Math.min(previous, length) - m;
    int s = 0;
    while (s + 8 <= limit && (long) LONGS.get(template, previous - s - 8)
        == (long) LONGS.get(data, end - s - 8)) {
      s += 8;
    }
    while (s < limit && template[previous - 1 - s] == data[end - 1 - s]) s++;
    int differenceEnd = previous - s; // the template's bytes [m, differenceEnd) differ
    JsonTokenizer.TokenLog calls = log;
    int k = stringAt(m);
    if (k < 0) return false;
    int start = calls.starts[k];
    int quote = calls.ends[k]; // the template's closing quote
    if (differenceEnd <= quote) { // the difference lies inside this string's content
      int grow = length - previous;
      int contentEnd = offset + quote + grow;
      if (JsonTokenizer.plainRunEnd(data, offset + start, contentEnd) != contentEnd) return false;
      changed = k;
      delta = grow;
      lastChanged = k;
      return true;
    }
    if (!closersOnlyAfter(k, data, offset + start, end)) return false;
    lastChanged = k;
    return true;
  }

  /**
   * The template's string call whose content (from its first byte to its closing quote) holds
   * position {@code m}, when the difference begins there: -1 when it begins outside every string.
   * The call that changed last time is tried first (a stream's events differ in the same string
   * each time); it is the one the scan would find, since strings lie in order without overlap.
   */
  private int stringAt(int m) {
    JsonTokenizer.TokenLog calls = log;
    int k = lastChanged;
    if (k >= 0 && calls.starts[k] <= m && m <= calls.ends[k]) return k;
    for (k = 0; k < calls.size; k++) {
      if (!calls.isString(k)) continue;
      if (calls.starts[k] > m) return -1; // the difference begins before this string
      if (m <= calls.ends[k]) return k; // else it begins after this one
    }
    return -1;
  }

  /**
   * The difference runs past the changed string: still a repeat when only closing brackets
   * follow it, the same ones, with other whitespace between them (Anthropic pads its events
   * with a varying run of spaces before the last brace).
   */
  private boolean closersOnlyAfter(int k, byte[] data, int contentStart, int end) {
    JsonTokenizer.TokenLog calls = log;
    for (int j = k + 1; j < calls.size; j++) {
      int kind = calls.kind(j);
      if (kind != JsonTokenizer.TokenLog.END_OBJECT && kind != JsonTokenizer.TokenLog.END_ARRAY) {
        return false;
      }
    }
    int quote = JsonTokenizer.plainRunEnd(data, contentStart, end);
    if (quote == end || data[quote] != '"') return false;
    int i = quote + 1;
    tailLineEnd = SseDecoder.lineEnd(data, i, end) != end;
    int t = calls.ends[k] + 1;
    int previous = templateLength;
    while (true) {
      i = skipWhitespace(data, i, end);
      t = skipWhitespace(template, t, previous);
      if (i == end || t == previous) break;
      byte b = data[i];
      if (b != template[t] || b != '}' && b != ']') return false;
      i++;
      t++;
    }
    if (i != end || t != previous) return false;
    changed = k;
    delta = (quote - contentStart) - (calls.ends[k] - calls.starts[k]);
    return true;
  }

  private static int skipWhitespace(byte[] bytes, int i, int end) {
    while (i < end) {
      byte b = bytes[i];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') break;
      i++;
    }
    return i;
  }

  /**
   * How many bytes from {@code from} repeat the template, when the template is one line: the
   * SSE decoder need not look for the line's end among them. The result is kept for {@link
   * #matches} on the same bytes.
   */
  int knownLineStart(byte[] bytes, int from, int end) {
    if (templateLength < 0 || !templateOneLine) return 0;
    int n = Math.min(templateLength, end - from);
    int m = Arrays.mismatch(template, 0, n, bytes, from, from + n);
    prefixSource = bytes;
    prefixFrom = from;
    prefixRun = m < 0 ? n : m;
    return prefixRun;
  }

  /**
   * Makes the tokenizer's calls for the event {@link #matches} accepted, and keeps it as the
   * template for the next one.
   */
  void replay(byte[] data, int offset, int length) throws IOException {
    replays++;
    tokenizer.replay(log, data, offset, changed, delta);
    // The changed content is plain (no line end); only a tail of closers may bring one.
    if (tailLineEnd) templateOneLine = false;
    JsonTokenizer.TokenLog calls = log;
    if (changed >= 0) {
      calls.plainString(changed, calls.ends[changed] + delta);
      if (delta != 0) {
        for (int k = changed + 1, n = calls.size; k < n; k++) {
          if (!calls.isString(k)) continue; // an integer keeps its value there
          calls.starts[k] += delta;
          calls.ends[k] += delta;
        }
      }
      keep(data, offset, length);
    }
  }

  /** The event at {@code offset} is about to be tokenized in full: its calls are written down. */
  void record(byte[] data, int offset, int length) {
    templateLength = -1;
    prefixSource = null;
    lastChanged = -1;
    if (length == 0 || length > MAX_EVENT_BYTES || data[offset] == (byte) 0xEF) return;
    log.begin(data, offset);
    walker.log(log);
    recording = true;
  }

  /**
   * The event {@link #record} announced ended; {@code valid}: it was one whole, well-formed JSON
   * document. A valid object that ends at the event's last byte becomes the template.
   */
  void recorded(byte[] data, int offset, int length, boolean valid) {
    if (!recording) return;
    recording = false;
    walker.log(null);
    log.end();
    if (valid && log.complete && log.size > 0
        && log.kind(0) == JsonTokenizer.TokenLog.START_OBJECT
        && data[offset + length - 1] == '}') {
      keep(data, offset, length);
      templateOneLine = SseDecoder.lineEnd(data, offset, offset + length) == offset + length;
    }
  }

  /** Events handed over by {@link #replay} so far. */
  int replays() {
    return replays;
  }

  /** Forgets the template (the stream's documents no longer follow each other). */
  void clear() {
    templateLength = -1;
    prefixSource = null;
  }

  private void keep(byte[] data, int offset, int length) {
    if (template == null || template.length < length) {
      template = new byte[Math.max(length + (length >> 1), 256)];
    }
    System.arraycopy(data, offset, template, 0, length);
    templateLength = length;
  }
}

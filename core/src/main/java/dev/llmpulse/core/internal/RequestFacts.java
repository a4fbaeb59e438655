package dev.llmpulse.core.internal;

import dev.llmpulse.core.WireFormat;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What an LLM request says about its call, whatever client sent it: the wire format (from the
 * path), the model and whether a stream was asked for. The body is looked at only when the
 * binding could read it safely (JSON, replayable, at most {@link #MAX_BODY_BYTES}); only its
 * top-level {@code model} and {@code stream} fields are read, never the prompt. The body is read,
 * not validated: a malformed prompt is the upstream's to reject, and the call keeps its model.
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public final class RequestFacts {
  /** Bodies larger than this are not read for their model. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  public final WireFormat format;
  public final String model;
  public final boolean stream;

  private RequestFacts(WireFormat format, String model, boolean stream) {
    this.format = format;
    this.model = model;
    this.stream = stream;
  }

  /**
   * True for a request {@code Content-Type} whose body may be read: {@code application/json} or
   * any {@code …+json}, with or without parameters.
   */
  public static boolean isJson(String contentType) {
    if (contentType == null) return false;
    String type = contentType.toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    if (semicolon >= 0) type = type.substring(0, semicolon);
    type = type.trim();
    return type.endsWith("/json") || type.endsWith("+json");
  }

  /**
   * Reads a request already known to be {@code format}.
   *
   * @param path the request path (its query is ignored)
   * @param body the request body, or null when it could not be read safely
   * @param length the number of body bytes in {@code body}
   */
  public static RequestFacts of(WireFormat format, String path, byte[] body, int length) {
    String model = "";
    String streamField = "";
    if (body != null && length > 0 && length <= MAX_BODY_BYTES) {
      String[] found = readModelAndStream(body, length);
      if (found != null) {
        model = found[0];
        streamField = found[1];
      }
    }
    boolean stream = WireFormat.isStreamingPath(path) || (format.streamsByDefault()
        ? !"false".equals(streamField) : "true".equals(streamField));
    String inPath = WireFormat.modelFromPath(path);
    if (format.modelInPath() && !inPath.isEmpty()) {
      model = inPath;
    } else if (model.isEmpty()) {
      model = inPath; // Gemini, Vertex AI, Azure deployments
    }
    return new RequestFacts(format, model, stream);
  }

  /**
   * {model, stream} from the members of the body's root object; null when the body is not one
   * whole JSON object (cut off, another root value, broken structure) or its model is not a valid
   * string. The request is read, not validated: its strings and nesting are followed exactly, so
   * a {@code model} inside a message or a nested object is never taken, but the values it does
   * not need (the prompt, numbers, keywords below the root) are only skipped, as the upstream,
   * which answers a malformed request with an error, is the judge of those. On a valid body this
   * gives what Jackson's reading of the root gave. What follows the root object is not read.
   */
  static String[] readModelAndStream(byte[] body, int length) {
    return new RootMembers(body, length).read();
  }

  /** One pass over the root object's members, skipping every value but the two it wants. */
  private static final class RootMembers {
    private static final VarHandle LONGS =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final int OTHER = 0;
    private static final int MODEL = 1;
    private static final int STREAM = 2;
    /** What ends a number or keyword: JSON whitespace, a separator, any bracket or quote. */
    private static final boolean[] ENDS_SCALAR = new boolean[256];
    /** What matters while skipping a nested value: quotes and brackets. */
    private static final boolean[] STRUCTURAL = new boolean[256];

    static {
      for (char c : " \t\n\r,:\"{}[]".toCharArray()) ENDS_SCALAR[c] = true;
      for (char c : "\"{}[]".toCharArray()) STRUCTURAL[c] = true;
    }

    private final byte[] b;
    private final int end;
    private int i;
    private boolean escaped; // the string skipped last had a backslash
    private String model = "";
    private String stream = "";

    RootMembers(byte[] body, int length) {
      this.b = body;
      this.end = length;
    }

    String[] read() {
      if (end >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF) i = 3;
      if (next() != '{') return null;
      int c = next();
      if (c == '}') return new String[] {model, stream};
      while (c == '"') {
        int nameStart = i;
        if (!skipString()) return null;
        int member = member(nameStart, i - 1);
        if (member < 0 || next() != ':') return null;
        if (!value(member)) return null;
        c = next();
        if (c == '}') return new String[] {model, stream};
        if (c != ',') return null;
        c = next();
      }
      return null;
    }

    /** The next byte that is not JSON whitespace, past it; -1 at the end. */
    private int next() {
      while (i < end) {
        int c = b[i++] & 0xFF;
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c;
      }
      return -1;
    }

    /**
     * Which member the name just skipped, {@code [from, to)} without its quotes, is; -1 when it is
     * not a valid name.
     */
    private int member(int from, int to) {
      if (escaped) { // decoded as Jackson decodes it
        String name = text(from - 1, to + 1);
        if (name == null) return -1;
        return name.equals("model") ? MODEL : name.equals("stream") ? STREAM : OTHER;
      }
      return is(from, to, "model") ? MODEL : is(from, to, "stream") ? STREAM : OTHER;
    }

    /** Reads or skips the value after a member's colon; false when the body breaks there. */
    private boolean value(int member) {
      int c = next();
      if (c == '"') {
        int start = i;
        if (!skipString()) return false;
        if (member == MODEL) {
          String text = text(start - 1, i);
          if (text == null) return false;
          model = text;
        }
        return true;
      }
      if (c == '{' || c == '[') return skipNested(c);
      if (c < 0 || ENDS_SCALAR[c]) return false;
      int start = i - 1;
      while (i < end && !ENDS_SCALAR[b[i] & 0xFF]) i++;
      if (member == STREAM) {
        if (is(start, i, "true")) stream = "true";
        else if (is(start, i, "false")) stream = "false";
      }
      return true;
    }

    /** True when bytes {@code [from, to)} spell {@code word}. */
    private boolean is(int from, int to, String word) {
      if (to - from != word.length()) return false;
      for (int k = 0; k < word.length(); k++) {
        if (b[from + k] != word.charAt(k)) return false;
      }
      return true;
    }

    /**
     * Past the nested object or array whose opening bracket {@code open} was just read; false
     * when the body ends first, a bracket closes another kind, or it nests deeper than the
     * tokenizer's {@link JsonTokenizer#MAX_DEPTH}. Brackets are followed one bit per level (set
     * for arrays); strings are skipped whole, so no byte inside one counts.
     */
    private boolean skipNested(int open) {
      long shallow = open == '[' ? 1 : 0;
      long[] deep = null;
      int depth = 1; // open containers below the root
      while (i < end) {
        int c = b[i++] & 0xFF;
        if (!STRUCTURAL[c]) continue;
        if (c == '"') {
          if (!skipString()) return false;
          continue;
        }
        if (c == '{' || c == '[') {
          if (depth + 1 >= JsonTokenizer.MAX_DEPTH) return false;
          long bit = 1L << (depth & 63);
          boolean array = c == '[';
          if (depth < 64) {
            shallow = array ? shallow | bit : shallow & ~bit;
          } else {
            if (deep == null) deep = new long[JsonTokenizer.MAX_DEPTH / 64];
            int word = depth >>> 6;
            deep[word] = array ? deep[word] | bit : deep[word] & ~bit;
          }
          depth++;
          continue;
        }
        int top = --depth;
        long bits = top < 64 ? shallow : deep[top >>> 6];
        boolean array = (bits & (1L << (top & 63))) != 0;
        if (array != (c == ']')) return false;
        if (depth == 0) return true;
      }
      return false;
    }

    /**
     * Past the closing quote of the string whose opening quote was just read, eight bytes at a
     * time to the next quote or backslash (a backslash takes the byte after it along); false
     * when the body ends first.
     */
    private boolean skipString() {
      escaped = false;
      while (true) {
        while (i + 8 <= end) {
          long x = (long) LONGS.get(b, i);
          long quote = x ^ 0x2222222222222222L;
          long backslash = x ^ 0x5C5C5C5C5C5C5C5CL;
          long hit = ((quote - ONES) & ~quote | (backslash - ONES) & ~backslash) & HIGHS;
          if (hit != 0) {
            i += Long.numberOfTrailingZeros(hit) >>> 3;
            break;
          }
          i += 8;
        }
        while (i < end && b[i] != '"' && b[i] != '\\') i++;
        if (i >= end) return false;
        if (b[i++] == '"') return true;
        escaped = true;
        i++; // the escaped byte
      }
    }

    /**
     * The string {@code [from, to)} (quotes included) decoded; null when it is not a valid JSON
     * string. Plain ASCII is taken as it is; any other is decoded and validated by the tokenizer.
     */
    private String text(int from, int to) {
      boolean plain = true;
      for (int k = from + 1; k < to - 1 && plain; k++) {
        int c = b[k] & 0xFF;
        plain = c >= 0x20 && c < 0x80 && c != '\\';
      }
      if (plain) {
        int n = to - from - 2;
        return n > JsonTokenizer.TEXT_CAP ? LabelCap.OTHER
            : new String(b, from + 1, n, StandardCharsets.ISO_8859_1);
      }
      StringValue value = new StringValue();
      JsonTokenizer tokenizer = new JsonTokenizer(value);
      try {
        tokenizer.feed(b, from, to - from);
        tokenizer.endOfInput();
      } catch (IOException | RuntimeException e) {
        return null;
      }
      return value.text;
    }
  }

  /** The text of a document that is one string. */
  private static final class StringValue extends JsonTokenizer.Handler {
    String text;

    @Override
    void startContainer(boolean isArray) {}

    @Override
    void endContainer(boolean isArray) {}

    @Override
    void fieldName(String name) {}

    @Override
    void scalar(JsonTokenizer value) {
      if (value.isString()) text = value.text();
    }
  }
}

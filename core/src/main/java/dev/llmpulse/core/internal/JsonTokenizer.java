package dev.llmpulse.core.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A push JSON tokenizer for bytes that arrive piece by piece: it keeps O(depth) state between
 * pieces and tells a {@link Handler} about containers, field names and scalars as soon as each is
 * complete. It reads only what LLM Pulse needs and skips the rest without decoding it: a string
 * value's first {@value #TEXT_CAP} characters are kept (its length is counted exactly up to
 * there), numbers are classified and integers valued, field names become canonical strings
 * without allocating for the ones the readers know.
 *
 * <p>It accepts and rejects exactly what Jackson 2.23's non-blocking UTF-8 parser (strict JSON,
 * its defaults) accepts and rejects, and at the same byte: an error seen while bytes are fed is a
 * {@link Malformed} from {@link #feed}; an error that only the end of input reveals (a value cut
 * off, a keyword never finished) comes from {@link #endOfInput}. Several root values may follow
 * each other (the handler decides what that means). Limits: nesting deeper than {@value
 * #MAX_DEPTH}, a string over {@value #MAX_STRING_CHARS} characters, a name over {@value
 * #MAX_NAME_BYTES} bytes or a number over {@value #MAX_NUMBER_CHARS} characters is a {@link
 * LimitExceeded}, not a verdict on the body. {@code JsonTokenizerParityTest} holds it to Jackson
 * on every recording, cut and mutated.
 *
 * <p>One tokenizer reads one input on one thread; {@link #reset} makes it ready for the next.
 */
final class JsonTokenizer {
  /** Receives what the tokenizer finds, in document order. */
  abstract static class Handler {
    abstract void startContainer(boolean isArray) throws IOException;

    abstract void endContainer(boolean isArray) throws IOException;

    abstract void fieldName(String name) throws IOException;

    /** A scalar value: its type and content are read from the tokenizer during the call. */
    abstract void scalar(JsonTokenizer value) throws IOException;
  }

  /** Input that is not JSON, found while it was fed. */
  static final class Malformed extends IOException {
    Malformed(String message) {
      super(message, null);
    }
  }

  /** Input too big to read (depth, string, name or number length): no verdict on it. */
  static final class LimitExceeded extends IOException {
    LimitExceeded(String message) {
      super(message, null);
    }
  }

  // Value types.
  static final int STRING = 1;
  static final int INT = 2;
  static final int FLOAT = 3;
  static final int TRUE = 4;
  static final int FALSE = 5;
  static final int NULL = 6;

  // Integer kinds, as Jackson's NumberType: by value.
  static final int INT_32 = 0;
  static final int INT_64 = 1;
  static final int INT_BIG = 2;

  /** Characters of a string value kept for the readers (labels are at most 200). */
  static final int TEXT_CAP = 256;
  static final int MAX_DEPTH = 512;
  static final int MAX_STRING_CHARS = 4 * 1024 * 1024;
  static final int MAX_NAME_BYTES = 50_000;
  static final int MAX_NUMBER_CHARS = 1000;
  private static final int MAX_ERROR_TOKEN = 256;

  // Where the tokenizer is: between tokens ...
  private static final int ROOT = 0; // a root value (or whitespace) next
  private static final int VALUE = 1; // a value after ':' or after ',' in an array
  private static final int FIRST_ELEMENT = 2; // after '[': a value or ']'
  private static final int FIRST_NAME = 3; // after '{': a name or '}'
  private static final int NAME = 4; // after ',' in an object: a name
  private static final int COLON = 5;
  private static final int COMMA = 6; // after a value in a container: ',' or its closer
  // ... or inside one.
  private static final int STRING_BODY = 7;
  private static final int ESCAPE = 8; // after a backslash
  private static final int UNICODE = 9; // the hex digits of \\uXXXX
  private static final int UTF8 = 10; // continuation bytes of a value's multi-byte character
  private static final int NUMBER = 11;
  private static final int KEYWORD = 12;
  private static final int ERROR_TOKEN = 13;
  private static final int BOM = 14;
  private static final int PLUS = 15; // a '+' that may only start "+Infinity"
  private static final int LOW_SURROGATE_BACKSLASH = 16; // a name's \\uD8xx wants \\uDCxx next
  private static final int LOW_SURROGATE_U = 17;

  // Number states.
  private static final int N_MINUS = 0;
  private static final int N_ZERO = 1;
  private static final int N_INT = 2;
  private static final int N_DOT = 3;
  private static final int N_FRAC = 4;
  private static final int N_EXP = 5;
  private static final int N_EXP_SIGN = 6;
  private static final int N_EXP_DIGITS = 7;

  private static final String[] KEYWORDS = {"true", "false", "null", "NaN", "Infinity", "+Infinity",
      "-Infinity"};
  private static final int K_TRUE = 0;
  private static final int K_FALSE = 1;
  private static final int K_NULL = 2;
  private static final int K_NAN = 3;
  private static final int K_INFINITY = 4;
  private static final int K_PLUS_INFINITY = 5;
  private static final int K_MINUS_INFINITY = 6;

  /** Eight bytes at a time, for the scans of string runs and indentation. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGHS = 0x8080808080808080L;

  /** String bytes that end the plain run: quote, backslash, controls, non-ASCII. */
  private static final boolean[] PLAIN = new boolean[256];
  /** Bytes Jackson takes as part of an unrecognized token ({@code (char) signedByte}). */
  private static final boolean[] ERROR_TOKEN_PART = new boolean[256];

  static {
    for (int b = 0x20; b < 0x80; b++) PLAIN[b] = b != '"' && b != '\\';
    for (int b = 0; b < 256; b++) {
      ERROR_TOKEN_PART[b] = Character.isJavaIdentifierPart((char) (byte) b);
    }
  }

  private final Handler handler;

  private int state = ROOT;
  private boolean atStart = true; // no byte seen yet: a UTF-8 BOM may come
  // Containers: one bit per level, set for arrays; the first 64 levels in a field (LLM answers
  // nest about six deep), deeper ones in an array made when first needed.
  private long shallow;
  private long[] deep;
  private int depth;
  private boolean topIsArray; // the innermost open container is an array

  // The token being read.
  private boolean inName;
  private int numberState;
  private boolean negative;
  private long magnitude; // negated accumulation, as Long.parseLong does
  private boolean overflow;
  private int intDigits;
  private int numberChars;
  private int keyword;
  private int matched;
  private int utf8Need; // continuation bytes still to come
  private int utf8Value;
  private int utf8Length; // 2, 3 or 4
  private int unicodeDigits;
  private int unicodeValue;
  private int highSurrogate; // in a name: the escaped high surrogate waiting for its low one
  private int errorTokenLength;

  // The current string value (first TEXT_CAP chars) or name (its bytes, UTF-8).
  // A string value is counted, not copied, while it lies in the piece being fed: the handler
  // reads it in place (textSource). Only one that spans pieces is copied (its first TEXT_CAP
  // chars, into text), from the piece where it started on.
  private char[] text; // made when first needed
  private int textLength; // chars so far, exact
  private boolean copying; // the value spans pieces: its chars are being stored in text
  private int sourceStart; // where the value's content starts in the current piece
  private byte[] textSource; // during the handler's call: the bytes of an in-place value
  private int textStart;
  private int textEnd;
  private boolean textPlain; // the in-place bytes are ASCII without escapes
  private byte[] name; // a name that is not plain ASCII in one piece; made when first needed
  private int nameLength;
  private boolean nameAscii;

  // The current scalar.
  private int valueType;
  private long longValue;
  private int intKind;

  JsonTokenizer(Handler handler) {
    this.handler = handler;
  }

  /** Ready for a new input, as a new tokenizer. */
  void reset() {
    state = ROOT;
    atStart = true;
    depth = 0;
    topIsArray = false;
  }

  /**
   * Makes the calls that {@code log} wrote down again, for a document at {@code base} of {@code
   * data} that is the logged one but for the content of call {@code changed}'s string: it is
   * plain ASCII here and {@code delta} bytes longer, so every position after it moves by {@code
   * delta} ({@code changed} -1: the very same bytes). {@link RepeatedEvents} decides when that
   * holds; the tokenizer must be between root values, and is again afterwards.
   */
  void replay(TokenLog log, byte[] data, int base, int changed, int delta) throws IOException {
    for (int k = 0, n = log.size; k < n; k++) {
      int kind = log.kind(k);
      switch (kind) {
        case TokenLog.START_OBJECT:
        case TokenLog.START_ARRAY:
          depth++;
          handler.startContainer(kind == TokenLog.START_ARRAY);
          break;
        case TokenLog.END_OBJECT:
        case TokenLog.END_ARRAY:
          depth--;
          handler.endContainer(kind == TokenLog.END_ARRAY);
          break;
        case TokenLog.NAME:
          if (k + 1 < n && k + 1 != changed && log.isInert(k + 1)) {
            k++; // the name and its value, which did nothing: the next call sets its own name
            break;
          }
          handler.fieldName(log.names[k]);
          break;
        default:
          if (k != changed && log.isInert(k)) break; // an array element that did nothing
          valueType = log.valueType(k);
          if (valueType != STRING) {
            longValue = log.longValue(k);
            intKind = log.intKind(k);
            handler.scalar(this);
            break;
          }
          int start = log.starts[k];
          int end = log.ends[k];
          if (k == changed) {
            end += delta;
            textLength = end - start;
            textPlain = true;
          } else {
            if (k > changed) {
              start += delta;
              end += delta;
            }
            textLength = log.lengths[k];
            textPlain = log.plain(k);
          }
          textSource = data;
          textStart = base + start;
          textEnd = base + end;
          try {
            handler.scalar(this);
          } finally {
            textSource = null;
          }
      }
    }
    state = ROOT;
    depth = 0;
    topIsArray = false;
  }

  /** Nesting depth: open containers. */
  int depth() {
    return depth;
  }

  // ---- The current scalar, for the handler ----

  int valueType() {
    return valueType;
  }

  boolean isString() {
    return valueType == STRING;
  }

  /** A string's length in chars; exact up to {@link #TEXT_CAP}, above it only "longer". */
  int textLength() {
    return textLength;
  }

  /** The string value; {@link LabelCap#OTHER} when longer than {@link #TEXT_CAP} chars. */
  String text() {
    if (textLength > TEXT_CAP) return LabelCap.OTHER;
    if (textSource != null) {
      if (textPlain) {
        return new String(textSource, textStart, textLength, java.nio.charset.StandardCharsets.ISO_8859_1);
      }
      decode(textSource, textStart, textEnd);
    }
    return new String(text, 0, textLength);
  }

  /** True when the value is the string {@code expected}; allocates nothing. */
  boolean textEquals(String expected) {
    if (valueType != STRING || textLength != expected.length()) return false;
    if (textSource != null) {
      if (textPlain) {
        for (int i = 0; i < textLength; i++) {
          if ((textSource[textStart + i] & 0xFF) != expected.charAt(i)) return false;
        }
        return true;
      }
      decode(textSource, textStart, textEnd);
    }
    for (int i = 0; i < textLength; i++) {
      if (text[i] != expected.charAt(i)) return false;
    }
    return true;
  }

  /** An integer's kind: {@link #INT_32}, {@link #INT_64} or {@link #INT_BIG}. */
  int intKind() {
    return intKind;
  }

  /** An integer's value when its kind is not {@link #INT_BIG}. */
  long longValue() {
    return longValue;
  }

  // ---- Input ----

  /** Reads the next bytes. */
  void feed(byte[] data, int offset, int length) throws IOException {
    int end = offset + length;
    int i = offset;
    if (atStart && length > 0) { // only the very first byte may start a byte order mark
      atStart = false;
      if (data[i] == (byte) 0xEF) {
        state = BOM;
        matched = 1;
        i++;
      }
    }
    while (i < end) {
      switch (state) {
        case STRING_BODY:
          i = stringBody(data, i, end);
          break;
        case ROOT:
        case VALUE:
        case FIRST_ELEMENT:
        case FIRST_NAME:
        case NAME:
        case COLON:
        case COMMA:
          i = structure(data, i, end);
          break;
        case NUMBER:
          i = number(data, i, end);
          break;
        case ESCAPE:
          escape(data[i++]);
          break;
        case UNICODE:
          unicode(data[i++]);
          break;
        case UTF8:
          utf8(data[i++]);
          break;
        case KEYWORD:
          i = keyword(data, i, end);
          break;
        case ERROR_TOKEN:
          i = errorToken(data, i, end);
          break;
        case BOM:
          bom(data[i++] & 0xFF);
          break;
        case PLUS:
          plus(data[i++]);
          break;
        case LOW_SURROGATE_BACKSLASH:
          if (data[i++] != '\\') throw new Malformed("broken surrogate pair in a name");
          state = LOW_SURROGATE_U;
          break;
        case LOW_SURROGATE_U:
          if (data[i++] != 'u') throw new Malformed("broken surrogate pair in a name");
          state = UNICODE;
          unicodeDigits = 0;
          unicodeValue = 0;
          break;
        default:
          throw new IllegalStateException("state " + state);
      }
    }
  }

  /** The input ended: finishes a root value that the end completes, or reports what was cut. */
  void endOfInput() throws IOException {
    switch (state) {
      case ROOT:
        return;
      case NUMBER:
        switch (numberState) {
          case N_ZERO:
          case N_INT:
            completeInt(-1);
            break;
          case N_FRAC:
          case N_EXP_DIGITS:
            completeFloat(-1);
            break;
          default:
            throw new Malformed("end of input inside a number");
        }
        if (depth > 0) throw new Malformed("end of input inside a container");
        return;
      case KEYWORD:
        if (matched == KEYWORDS[keyword].length() && keyword <= K_NULL) {
          completeKeyword();
          if (depth > 0) throw new Malformed("end of input inside a container");
          return;
        }
        throw new Malformed("end of input inside a token");
      default:
        throw new Malformed("end of input inside a value");
    }
  }

  // ---- Between tokens ----

  private int structure(byte[] data, int i, int end) throws IOException {
    while (i < end) {
      int b = data[i] & 0xFF;
      if (b <= 0x20) {
        if (b == ' ') {
          i = ++i < end && data[i] == ' ' ? skipSpaces(data, i, end) : i; // indentation, or one
        } else if (b == '\n') { // a line end and the next line's indentation
          i = ++i < end && data[i] == ' ' ? skipSpaces(data, i, end) : i;
        } else if (b == '\r' || b == '\t') {
          i++;
        } else {
          throw new Malformed("control character " + b + " between tokens");
        }
        continue;
      }
      i++;
      switch (state) {
        case ROOT:
        case VALUE:
        case FIRST_ELEMENT:
          return startValue(b, data, i, end);
        case FIRST_NAME:
          if (b == '"') return startName(data, i, end);
          if (b == '}') {
            close(false);
            return i;
          }
          throw new Malformed("expected a field name");
        case NAME:
          if (b == '"') return startName(data, i, end);
          throw new Malformed("expected a field name");
        case COLON:
          if (b != ':') throw new Malformed("expected a colon");
          state = VALUE;
          continue;
        case COMMA:
          if (b == ',') {
            state = topIsArray ? VALUE : NAME;
            continue;
          }
          if (b == ']' || b == '}') {
            close(b == ']');
            return i;
          }
          throw new Malformed("expected a comma");
        default:
          throw new IllegalStateException("state " + state);
      }
    }
    return i;
  }

  /** Past the run of spaces (indentation) from {@code i}. */
  private static int skipSpaces(byte[] data, int i, int end) {
    while (i + 8 <= end) {
      long others = (long) LONGS.get(data, i) ^ 0x2020202020202020L;
      if (others != 0) return i + (Long.numberOfTrailingZeros(others) >>> 3);
      i += 8;
    }
    while (i < end && data[i] == ' ') i++;
    return i;
  }

  /**
   * The first byte from {@code i} that ends a plain run of a string (a quote, a backslash, a
   * control character or a non-ASCII byte), or {@code end}. Eight bytes at a time: a byte below
   * 0x20 borrows in {@code x - 0x20…}, a quote or backslash is a zero byte of {@code x ^ 0x22…}
   * or {@code x ^ 0x5C…} and borrows in its {@code - 0x01…}, a byte above 0x7F has its high bit
   * set. A borrow only ever runs from a byte that is itself flagged into higher ones, so the
   * lowest flagged byte is exact.
   */
  static int plainRunEnd(byte[] data, int i, int end) {
    while (i + 8 <= end) {
      long x = (long) LONGS.get(data, i);
      long quote = x ^ 0x2222222222222222L;
      long backslash = x ^ 0x5C5C5C5C5C5C5C5CL;
      long stop = ((x - 0x2020202020202020L) | (quote - 0x0101010101010101L)
          | (backslash - 0x0101010101010101L) | x) & HIGHS;
      if (stop != 0) return i + (Long.numberOfTrailingZeros(stop) >>> 3);
      i += 8;
    }
    while (i < end && PLAIN[data[i] & 0xFF]) i++;
    return i;
  }

  /** The first byte {@code b} of a value; {@code i} is just past it. */
  private int startValue(int b, byte[] data, int i, int end) throws IOException {
    switch (b) {
      case '"':
        return startString(data, i, end);
      case '{':
        open(false);
        return i;
      case '[':
        open(true);
        return i;
      case ']':
        if (state == FIRST_ELEMENT) {
          close(true);
          return i;
        }
        throw new Malformed("unexpected ']'");
      case '-':
        startNumber(true, N_MINUS, 0);
        return number(data, i, end);
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
      case '9':
        return startDigit(b, data, i, end);
      case 't':
        if (i + 3 < end && data[i] == 'r' && data[i + 1] == 'u' && data[i + 2] == 'e') {
          return keywordInPlace(K_TRUE, data, i + 3);
        }
        startKeyword(K_TRUE, 1);
        return i;
      case 'f':
        if (i + 4 < end && data[i] == 'a' && data[i + 1] == 'l' && data[i + 2] == 's'
            && data[i + 3] == 'e') {
          return keywordInPlace(K_FALSE, data, i + 4);
        }
        startKeyword(K_FALSE, 1);
        return i;
      case 'n':
        if (i + 3 < end && data[i] == 'u' && data[i + 1] == 'l' && data[i + 2] == 'l') {
          return keywordInPlace(K_NULL, data, i + 3);
        }
        startKeyword(K_NULL, 1);
        return i;
      case 'N':
        startKeyword(K_NAN, 1);
        return i;
      case 'I':
        startKeyword(K_INFINITY, 1);
        return i;
      case '+':
        state = PLUS;
        return i;
      default:
        throw new Malformed("unexpected character " + b + " where a value starts");
    }
  }

  /**
   * A number starts with the digit {@code b}. The usual one, a short integer whole in this piece,
   * is read here; any other (a fraction, an exponent, a leading zero, a long one, one cut by the
   * piece's end) goes through {@link #number}, from its first digit on.
   */
  private int startDigit(int b, byte[] data, int i, int end) throws IOException {
    long value = b - '0';
    int k = i;
    if (b != '0') {
      while (k < end && k - i < 17) {
        int d = data[k] - '0';
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
        k++;
      }
    }
    if (k < end) {
      int next = data[k] & 0xFF;
      if (next != '.' && next != 'e' && next != 'E' && (next < '0' || next > '9')) {
        checkEnd(next);
        valueType = INT;
        longValue = value;
        intKind = value <= Integer.MAX_VALUE ? INT_32 : INT_64;
        afterValue();
        handler.scalar(this);
        return k;
      }
    }
    if (b == '0') {
      startNumber(false, N_ZERO, 1);
    } else {
      startNumber(false, N_INT, 1);
      magnitude = -(b - '0');
      intDigits = 1;
    }
    return number(data, i, end);
  }

  /**
   * The keyword {@code keyword} (true, false or null) lies whole in this piece before {@code
   * after}, a byte that exists: it ends there when that byte may end it, as {@link #keyword}
   * decides; otherwise the state machine takes it from after its first letter.
   */
  private int keywordInPlace(int keyword, byte[] data, int after) throws IOException {
    int b = data[after] & 0xFF;
    if (b < '0' || b >= 0x80 || b == '}' || b == ']') {
      this.keyword = keyword;
      completeKeyword();
      return after;
    }
    startKeyword(keyword, 1);
    return after - KEYWORDS[keyword].length() + 1;
  }

  private void open(boolean isArray) throws IOException {
    if (depth >= MAX_DEPTH) throw new LimitExceeded("nesting deeper than " + MAX_DEPTH);
    long bit = 1L << (depth & 63);
    if (depth < 64) {
      shallow = isArray ? shallow | bit : shallow & ~bit;
    } else {
      if (deep == null) deep = new long[MAX_DEPTH / 64];
      int word = depth >>> 6;
      deep[word] = isArray ? deep[word] | bit : deep[word] & ~bit;
    }
    depth++;
    topIsArray = isArray;
    state = isArray ? FIRST_ELEMENT : FIRST_NAME;
    handler.startContainer(isArray);
  }

  private void close(boolean isArray) throws IOException {
    if (depth == 0 || topIsArray != isArray) throw new Malformed("mismatched close");
    depth--;
    if (depth > 0) topIsArray = inArray();
    handler.endContainer(isArray);
    afterValue();
  }

  private boolean inArray() {
    int top = depth - 1;
    long bits = top < 64 ? shallow : deep[top >>> 6];
    return (bits & (1L << (top & 63))) != 0;
  }

  private void afterValue() {
    state = depth > 0 ? COMMA : ROOT;
  }

  private void bom(int b) throws IOException {
    if (matched == 1 && b == 0xBB) {
      matched = 2;
    } else if (matched == 2 && b == 0xBF) {
      state = ROOT;
    } else {
      throw new Malformed("broken UTF-8 byte order mark");
    }
  }

  // ---- Strings and names ----

  /**
   * A name starts at {@code i}. The common case, a plain ASCII name whole in this piece, is
   * looked up in place; any other goes byte by byte.
   */
  private int startName(byte[] data, int i, int end) throws IOException {
    int j = plainRunEnd(data, i, end);
    if (j < end && data[j] == '"') {
      state = COLON;
      handler.fieldName(FieldNames.ascii(data, i, j - i));
      // The usual ": " or ":" and the value's first byte, without a trip through feed.
      int k = j + 1;
      if (k < end && data[k] == ' ') k++;
      if (k >= end || data[k] != ':') return j + 1;
      state = VALUE;
      if (++k < end && data[k] == ' ') k++;
      if (k < end) {
        int b = data[k] & 0xFF;
        if (b > 0x20) return startValue(b, data, k + 1, end);
      }
      return k;
    }
    inName = true;
    nameLength = 0;
    nameAscii = true;
    highSurrogate = 0;
    state = STRING_BODY;
    for (int k = i; k < j; k++) appendNameByte(data[k] & 0xFF);
    return j;
  }

  /**
   * A string value starts at {@code i}. The common case, plain ASCII whole in this piece, is
   * handed over in place; any other is validated and counted as it goes (see {@link #text}).
   */
  private int startString(byte[] data, int i, int end) throws IOException {
    int j = plainRunEnd(data, i, end);
    if (j - i > MAX_STRING_CHARS) throw new LimitExceeded("string longer than " + MAX_STRING_CHARS);
    if (j < end && data[j] == '"') {
      textLength = j - i;
      handOver(data, i, j, true);
      return j + 1;
    }
    inName = false;
    copying = false;
    sourceStart = i;
    textLength = j - i;
    state = STRING_BODY;
    if (j == end) startCopying(data, j);
    return j;
  }

  /** The value ends: the handler reads it in place, bytes {@code [from, to)} of {@code data}. */
  private void handOver(byte[] data, int from, int to, boolean plain) throws IOException {
    valueType = STRING;
    afterValue();
    textSource = data;
    textStart = from;
    textEnd = to;
    textPlain = plain;
    try {
      handler.scalar(this);
    } finally {
      textSource = null;
    }
  }

  private int stringBody(byte[] data, int i, int end) throws IOException {
    if (inName) return nameBody(data, i, end);
    while (i < end) {
      int start = i;
      i = plainRunEnd(data, i, end);
      if (copying) store(data, start, i);
      textLength += i - start;
      if (textLength > MAX_STRING_CHARS) {
        throw new LimitExceeded("string longer than " + MAX_STRING_CHARS);
      }
      if (i == end) break;
      int b = data[i++] & 0xFF;
      if (b == '"') {
        if (copying) {
          valueType = STRING;
          afterValue();
          handler.scalar(this);
        } else {
          handOver(data, sourceStart, i - 1, false);
        }
        return i;
      }
      if (b == '\\') {
        state = ESCAPE;
        if (i < end) escape(data[i++]);
        while (state == UNICODE && i < end) unicode(data[i++]);
      } else {
        if (b < 0x20) throw new Malformed("unescaped control character in a string");
        startUtf8(b);
        while (state == UTF8 && i < end) utf8(data[i++]);
      }
      if (state != STRING_BODY) break;
    }
    if (!copying) startCopying(data, i); // the piece ends inside the value
    return i;
  }

  /**
   * The piece ends inside a value that was only counted so far: its chars up to here (but the
   * escape or UTF-8 sequence still open) are decoded into {@link #text}, and stored from now on.
   */
  private void startCopying(byte[] data, int end) {
    int open;
    switch (state) {
      case ESCAPE: open = 1; break;
      case UNICODE: open = 2 + unicodeDigits; break;
      case UTF8: open = utf8Length - utf8Need; break;
      default: open = 0;
    }
    decode(data, sourceStart, end - open);
    copying = true;
  }

  /** Stores the plain bytes {@code [from, to)} of a value being copied, up to the cap. */
  private void store(byte[] data, int from, int to) {
    int n = textLength;
    int last = Math.min(to, from + (TEXT_CAP - n));
    for (int k = from; k < last; k++) text[n++] = (char) data[k];
  }

  /**
   * Decodes the bytes {@code [from, to)} of a value (validated already: whole escapes and
   * characters) into {@link #text}, up to the cap, as the value's chars from the first.
   */
  private void decode(byte[] src, int from, int to) {
    if (text == null) text = new char[TEXT_CAP];
    char[] out = text;
    int n = 0;
    int k = from;
    while (k < to && n < TEXT_CAP) {
      int b = src[k++] & 0xFF;
      if (b < 0x80) {
        if (b != '\\') {
          out[n++] = (char) b;
          continue;
        }
        int e = src[k++];
        char c;
        switch (e) {
          case 'b': c = '\b'; break;
          case 't': c = '\t'; break;
          case 'n': c = '\n'; break;
          case 'f': c = '\f'; break;
          case 'r': c = '\r'; break;
          case 'u':
            c = (char) (hex(src[k]) << 12 | hex(src[k + 1]) << 8 | hex(src[k + 2]) << 4
                | hex(src[k + 3]));
            k += 4;
            break;
          default: c = (char) e; // '"', '/' or '\\'
        }
        out[n++] = c;
      } else if (b < 0xE0) {
        out[n++] = (char) (((b & 0x1F) << 6) | (src[k++] & 0x3F));
      } else if (b < 0xF0) {
        out[n++] = (char) (((b & 0x0F) << 12) | ((src[k] & 0x3F) << 6) | (src[k + 1] & 0x3F));
        k += 2;
      } else {
        int c = (((b & 0x07) << 18) | ((src[k] & 0x3F) << 12) | ((src[k + 1] & 0x3F) << 6)
            | (src[k + 2] & 0x3F)) - 0x10000;
        k += 3;
        out[n++] = (char) (0xD800 | (c >> 10));
        if (n < TEXT_CAP) out[n++] = (char) (0xDC00 | (c & 0x3FF));
      }
    }
  }

  private int nameBody(byte[] data, int i, int end) throws IOException {
    while (i < end) {
      int b = data[i++] & 0xFF;
      if (PLAIN[b]) {
        appendNameByte(b);
        continue;
      }
      if (b == '"') {
        endName();
        return i;
      }
      if (b == '\\') {
        state = ESCAPE;
        return i;
      }
      if (b < 0x20) throw new Malformed("unescaped control character in a name");
      nameAscii = false; // validated as UTF-8 when the name ends, as Jackson does
      appendNameByte(b);
    }
    return i;
  }

  private void appendNameByte(int b) throws IOException {
    if (name == null) name = new byte[64];
    if (nameLength == name.length) {
      if (nameLength >= MAX_NAME_BYTES) throw new LimitExceeded("name longer than " + MAX_NAME_BYTES);
      name = java.util.Arrays.copyOf(name, Math.min(MAX_NAME_BYTES, name.length * 2));
    }
    name[nameLength++] = (byte) b;
  }

  private void endName() throws IOException {
    if (name == null) name = new byte[64]; // a name that started at the end of a piece
    String key = nameAscii ? FieldNames.ascii(name, 0, nameLength) : decodeName();
    state = COLON;
    handler.fieldName(key);
  }

  /** A name with non-ASCII bytes: decoded as Jackson's {@code _addName} decodes (and rejects). */
  private String decodeName() throws IOException {
    char[] chars = new char[nameLength];
    int n = 0;
    for (int i = 0; i < nameLength; ) {
      int c = name[i++] & 0xFF;
      if (c <= 127) {
        chars[n++] = (char) c;
        continue;
      }
      int needed;
      if ((c & 0xE0) == 0xC0) {
        c &= 0x1F;
        needed = 1;
      } else if ((c & 0xF0) == 0xE0) {
        c &= 0x0F;
        needed = 2;
      } else if ((c & 0xF8) == 0xF0) {
        c &= 0x07;
        needed = 3;
      } else {
        throw new Malformed("invalid UTF-8 start byte in a name");
      }
      if (i + needed > nameLength) throw new Malformed("incomplete UTF-8 character in a name");
      for (int k = 0; k < needed; k++) {
        int d = name[i++];
        if ((d & 0xC0) != 0x80) throw new Malformed("invalid UTF-8 byte in a name");
        c = (c << 6) | (d & 0x3F);
      }
      checkCodePoint(c, needed + 1);
      if (needed > 2) {
        c -= 0x10000;
        chars[n++] = (char) (0xD800 + (c >> 10));
        c = 0xDC00 | (c & 0x3FF);
      }
      chars[n++] = (char) c;
    }
    return new String(chars, 0, n);
  }

  private void escape(byte b) throws IOException {
    char c;
    switch (b) {
      case 'b': c = '\b'; break;
      case 't': c = '\t'; break;
      case 'n': c = '\n'; break;
      case 'f': c = '\f'; break;
      case 'r': c = '\r'; break;
      case '"': c = '"'; break;
      case '/': c = '/'; break;
      case '\\': c = '\\'; break;
      case 'u':
        state = UNICODE;
        unicodeDigits = 0;
        unicodeValue = 0;
        return;
      default:
        throw new Malformed("unrecognized escape");
    }
    escaped(c);
  }

  private void unicode(byte b) throws IOException {
    int digit = hex(b);
    if (digit < 0) throw new Malformed("expected a hex digit in a \\u escape");
    unicodeValue = (unicodeValue << 4) | digit;
    if (++unicodeDigits < 4) return;
    char c = (char) unicodeValue;
    if (inName && Character.isSurrogate(c)) {
      nameSurrogate(c);
    } else {
      escaped(c);
    }
  }

  /**
   * An escaped surrogate in a name: a high one must be followed by an escaped low one, and the
   * pair is one code point (Jackson 2.23 rejects any other surrogate in a name; a value takes
   * them as they come).
   */
  private void nameSurrogate(char c) throws IOException {
    if (highSurrogate == 0) {
      if (Character.isLowSurrogate(c)) throw new Malformed("low surrogate alone in a name");
      highSurrogate = c;
      state = LOW_SURROGATE_BACKSLASH;
      return;
    }
    if (!Character.isLowSurrogate(c)) throw new Malformed("broken surrogate pair in a name");
    int codePoint = Character.toCodePoint((char) highSurrogate, c);
    highSurrogate = 0;
    nameAscii = false;
    appendNameByte(0xF0 | (codePoint >> 18));
    appendNameByte(0x80 | ((codePoint >> 12) & 0x3F));
    appendNameByte(0x80 | ((codePoint >> 6) & 0x3F));
    appendNameByte(0x80 | (codePoint & 0x3F));
    state = STRING_BODY;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    return -1;
  }

  /** An escaped character: one char of a value, or its UTF-8 bytes in a name. */
  private void escaped(char c) throws IOException {
    state = STRING_BODY;
    if (inName) {
      if (c <= 127) {
        appendNameByte(c);
      } else {
        nameAscii = false;
        if (c < 0x800) {
          appendNameByte(0xC0 | (c >> 6));
        } else {
          appendNameByte(0xE0 | (c >> 12));
          appendNameByte(0x80 | ((c >> 6) & 0x3F));
        }
        appendNameByte(0x80 | (c & 0x3F));
      }
      return;
    }
    appendChar(c);
  }

  private void appendChar(char c) throws IOException {
    if (copying && textLength < TEXT_CAP) text[textLength] = c;
    if (++textLength > MAX_STRING_CHARS) {
      throw new LimitExceeded("string longer than " + MAX_STRING_CHARS);
    }
  }

  /**
   * A multi-byte character of {@code length} bytes decoded to {@code c}: overlong forms, UTF-16
   * surrogates and code points beyond U+10FFFF are not UTF-8 (Jackson 2.23 checks them all).
   */
  private static void checkCodePoint(int c, int length) throws IOException {
    if (length == 2 && c < 0x80 || length == 3 && c < 0x800 || length == 4 && c < 0x10000) {
      throw new Malformed("overlong UTF-8 encoding");
    }
    if (length == 3 && c >= 0xD800 && c <= 0xDFFF) throw new Malformed("UTF-8 encoded surrogate");
    if (c > 0x10FFFF) throw new Malformed("code point beyond U+10FFFF");
  }

  /** A value's byte at or above 0x80 starts a multi-byte character (or is invalid). */
  private void startUtf8(int b) throws IOException {
    if (b == 0xC0 || b == 0xC1 || b >= 0xF5) throw new Malformed("invalid UTF-8 start byte");
    if ((b & 0xE0) == 0xC0) {
      utf8Length = 2;
      utf8Value = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      utf8Length = 3;
      utf8Value = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      utf8Length = 4;
      utf8Value = b & 0x07;
    } else {
      throw new Malformed("invalid UTF-8 start byte");
    }
    utf8Need = utf8Length - 1;
    state = UTF8;
  }

  private void utf8(byte b) throws IOException {
    if ((b & 0xC0) != 0x80) throw new Malformed("invalid UTF-8 continuation byte");
    utf8Value = (utf8Value << 6) | (b & 0x3F);
    if (--utf8Need > 0) return;
    checkCodePoint(utf8Value, utf8Length);
    state = STRING_BODY;
    if (utf8Length == 4) {
      int c = utf8Value - 0x10000;
      appendChar((char) (0xD800 | (c >> 10)));
      appendChar((char) (0xDC00 | (c & 0x3FF)));
    } else {
      appendChar((char) utf8Value);
    }
  }

  // ---- Numbers ----

  private void startNumber(boolean negative, int numberState, int chars) {
    this.negative = negative;
    this.numberState = numberState;
    this.numberChars = chars + (negative ? 1 : 0);
    magnitude = 0;
    overflow = false;
    intDigits = numberState == N_ZERO ? 1 : 0;
    state = NUMBER;
  }

  private int number(byte[] data, int i, int end) throws IOException {
    while (i < end) {
      int b = data[i] & 0xFF;
      switch (numberState) {
        case N_MINUS:
          if (b == '0') {
            numberState = N_ZERO;
            intDigits = 1;
          } else if (b >= '1' && b <= '9') {
            numberState = N_INT;
            magnitude = -(b - '0');
            intDigits = 1;
          } else if (b == 'I') {
            startKeyword(K_MINUS_INFINITY, 2);
            return i + 1;
          } else {
            throw new Malformed("expected a digit after '-'");
          }
          break;
        case N_ZERO:
          if (b == '.') {
            numberState = N_DOT;
          } else if (b == 'e' || b == 'E') {
            numberState = N_EXP;
          } else if (b >= '0' && b <= '9') {
            throw new Malformed("leading zeroes");
          } else {
            completeInt(b);
            return i;
          }
          break;
        case N_INT:
          if (b >= '0' && b <= '9') {
            digit(b - '0');
          } else if (b == '.') {
            numberState = N_DOT;
          } else if (b == 'e' || b == 'E') {
            numberState = N_EXP;
          } else {
            completeInt(b);
            return i;
          }
          break;
        case N_DOT:
          if (b < '0' || b > '9') throw new Malformed("decimal point not followed by a digit");
          numberState = N_FRAC;
          break;
        case N_FRAC:
          if (b == 'e' || b == 'E') {
            numberState = N_EXP;
          } else if (b < '0' || b > '9') {
            completeFloat(b);
            return i;
          }
          break;
        case N_EXP:
          if (b == '+' || b == '-') {
            numberState = N_EXP_SIGN;
          } else if (b >= '0' && b <= '9') {
            numberState = N_EXP_DIGITS;
          } else {
            throw new Malformed("exponent not followed by a digit");
          }
          break;
        case N_EXP_SIGN:
          if (b < '0' || b > '9') throw new Malformed("exponent not followed by a digit");
          numberState = N_EXP_DIGITS;
          break;
        case N_EXP_DIGITS:
          if (b < '0' || b > '9') {
            completeFloat(b);
            return i;
          }
          break;
        default:
          throw new IllegalStateException("number state " + numberState);
      }
      numberChars++;
      i++;
    }
    return i;
  }

  private void digit(int d) {
    intDigits++;
    if (overflow) return;
    // magnitude holds -|value|, so Long.MIN_VALUE fits
    if (magnitude < Long.MIN_VALUE / 10 || magnitude * 10 < Long.MIN_VALUE + d) {
      overflow = true;
    } else {
      magnitude = magnitude * 10 - d;
    }
  }

  /**
   * A number ended at byte {@code next} (-1: the end of input). At the root only whitespace may
   * end one (Jackson 2.23: "Expected space separating root-level values").
   */
  private void checkEnd(int next) throws IOException {
    if (depth == 0 && next >= 0 && next != ' ' && next != '\n' && next != '\r' && next != '\t') {
      throw new Malformed("expected space after a root-level number");
    }
  }

  private void completeInt(int next) throws IOException {
    checkEnd(next);
    if (intDigits > MAX_NUMBER_CHARS) throw new LimitExceeded("number longer than " + MAX_NUMBER_CHARS);
    valueType = INT;
    if (numberState == N_ZERO) {
      longValue = 0;
      intKind = INT_32;
    } else if (overflow || !negative && magnitude == Long.MIN_VALUE) {
      intKind = INT_BIG;
      longValue = 0;
    } else {
      longValue = negative ? magnitude : -magnitude;
      intKind = longValue >= Integer.MIN_VALUE && longValue <= Integer.MAX_VALUE ? INT_32 : INT_64;
    }
    afterValue();
    handler.scalar(this);
  }

  private void completeFloat(int next) throws IOException {
    checkEnd(next);
    if (numberChars > MAX_NUMBER_CHARS) throw new LimitExceeded("number longer than " + MAX_NUMBER_CHARS);
    valueType = FLOAT;
    afterValue();
    handler.scalar(this);
  }

  // ---- Keywords (and the non-standard ones Jackson recognizes only to reject) ----

  private void startKeyword(int keyword, int matched) {
    this.keyword = keyword;
    this.matched = matched;
    state = KEYWORD;
  }

  private void plus(byte b) throws IOException {
    if (b != 'I') throw new Malformed("a number with a plus sign");
    startKeyword(K_PLUS_INFINITY, 2);
  }

  private int keyword(byte[] data, int i, int end) throws IOException {
    String expected = KEYWORDS[keyword];
    int length = expected.length();
    while (i < end) {
      int b = data[i] & 0xFF;
      if (matched == length) {
        if (b < '0' || b >= 0x80 || b == '}' || b == ']') {
          if (keyword > K_NULL) throw new Malformed("non-standard token " + expected);
          completeKeyword();
          return i;
        }
        break;
      }
      if (b != expected.charAt(matched)) break;
      matched++;
      i++;
    }
    if (i == end) return i;
    state = ERROR_TOKEN; // Jackson reads the rest of an unrecognized token before it reports it
    errorTokenLength = matched;
    return i;
  }

  private void completeKeyword() throws IOException {
    valueType = keyword == K_TRUE ? TRUE : keyword == K_FALSE ? FALSE : NULL;
    afterValue();
    handler.scalar(this);
  }

  private int errorToken(byte[] data, int i, int end) throws IOException {
    while (i < end) {
      int b = data[i++] & 0xFF;
      if (ERROR_TOKEN_PART[b] && ++errorTokenLength < MAX_ERROR_TOKEN) continue;
      throw new Malformed("unrecognized token");
    }
    return i;
  }

  /**
   * The handler's calls for one document fed whole in one piece, written down (by the handler,
   * {@link JsonWalker}) so that {@link #replay} can make them again. A string is kept as its
   * place in the document (relative to the document's first byte), never copied; a scalar the
   * reader ignored whatever its state is marked inert, and a replay skips it. {@link #complete}
   * turns false when a call could not be written down (more than {@value #MAX_CALLS} calls, a
   * string not in the logged piece).
   */
  static final class TokenLog {
    static final int START_OBJECT = 0;
    static final int START_ARRAY = 1;
    static final int END_OBJECT = 2;
    static final int END_ARRAY = 3;
    static final int NAME = 4;
    static final int SCALAR = 5;
    /** An OpenAI chunk makes 30 calls; its usage chunk about 50. */
    static final int MAX_CALLS = 128;
    private static final int FIRST_CAPACITY = 32;
    // A call's code: its kind (3 bits), a scalar's value type (3) and integer kind (2), whether
    // a string is plain (1) and whether the handler did nothing with a scalar (1).
    private static final int TYPE_SHIFT = 3;
    private static final int INT_KIND_SHIFT = 6;
    private static final int PLAIN = 1 << 8;
    private static final int INERT = 1 << 9;
    private static final int STRING_SCALAR = SCALAR | STRING << TYPE_SHIFT;

    private int[] codes = new int[FIRST_CAPACITY];
    String[] names = new String[FIRST_CAPACITY];
    // A string: where its content starts and ends (the closing quote) and its length in chars.
    // An integer: its value's high and low halves in starts and ends.
    int[] starts = new int[FIRST_CAPACITY];
    int[] ends = new int[FIRST_CAPACITY];
    int[] lengths = new int[FIRST_CAPACITY];
    int size;
    boolean complete;
    private byte[] source;
    private int base;

    int kind(int k) {
      return codes[k] & 7;
    }

    int valueType(int k) {
      return (codes[k] >>> TYPE_SHIFT) & 7;
    }

    int intKind(int k) {
      return (codes[k] >>> INT_KIND_SHIFT) & 3;
    }

    boolean plain(int k) {
      return (codes[k] & PLAIN) != 0;
    }

    /**
     * Scalar {@code k} did nothing in the handler and would do nothing again, whatever the
     * handler's state (see {@link FormatReader#onScalar}): a repeat skips it.
     */
    boolean isInert(int k) {
      return (codes[k] & INERT) != 0;
    }

    /** Marks scalar {@code k} inert. */
    void markInert(int k) {
      codes[k] |= INERT;
    }

    /** Call {@code k} is a string value. */
    boolean isString(int k) {
      return (codes[k] & ((1 << INT_KIND_SHIFT) - 1)) == STRING_SCALAR;
    }

    long longValue(int k) {
      return (long) starts[k] << 32 | (ends[k] & 0xFFFFFFFFL);
    }

    /** String {@code k} now ends at {@code end} and is plain. */
    void plainString(int k, int end) {
      ends[k] = end;
      lengths[k] = end - starts[k];
      codes[k] |= PLAIN;
    }

    /** Starts a log of the document at {@code base} of {@code source}. */
    void begin(byte[] source, int base) {
      this.source = source;
      this.base = base;
      size = 0;
      complete = true;
    }

    /** Lets go of the logged piece (its strings stay as positions). */
    void end() {
      source = null;
    }

    private boolean room() {
      if (size < codes.length) return true;
      if (size == MAX_CALLS) {
        complete = false;
        return false;
      }
      int capacity = Math.min(MAX_CALLS, size * 2);
      codes = Arrays.copyOf(codes, capacity);
      names = Arrays.copyOf(names, capacity);
      starts = Arrays.copyOf(starts, capacity);
      ends = Arrays.copyOf(ends, capacity);
      lengths = Arrays.copyOf(lengths, capacity);
      return true;
    }

    void container(int kind) {
      if (room()) codes[size++] = kind;
    }

    void name(String name) {
      if (!room()) return;
      codes[size] = NAME;
      names[size++] = name;
    }

    /** Writes the scalar down; returns its call's index, or -1 when the log could not. */
    int scalar(JsonTokenizer t) {
      if (!room()) return -1;
      int type = t.valueType;
      int code = SCALAR | type << TYPE_SHIFT;
      if (type == STRING) {
        if (t.textSource != source || source == null) { // copied across pieces
          complete = false;
          return -1;
        }
        starts[size] = t.textStart - base;
        ends[size] = t.textEnd - base;
        lengths[size] = t.textLength;
        if (t.textPlain) code |= PLAIN;
      } else {
        starts[size] = (int) (t.longValue >>> 32);
        ends[size] = (int) t.longValue;
        code |= t.intKind << INT_KIND_SHIFT;
      }
      codes[size] = code;
      return size++;
    }
  }
}

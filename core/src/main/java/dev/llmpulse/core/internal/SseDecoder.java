package dev.llmpulse.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An incremental decoder of {@code text/event-stream} (the WHATWG server-sent events grammar): it
 * takes bytes in whatever pieces the network delivers and hands complete events to a listener.
 * Handles {@code \n}, {@code \r\n} and {@code \r} line ends (also split across pieces), multi-line
 * {@code data}, {@code event} names and {@code :} comments. Memory is bounded: an event whose data
 * exceeds the cap is reported as oversized instead of being kept.
 */
final class SseDecoder {
  interface Listener {
    /** A complete event: {@code length} bytes of {@code data} from {@code offset}, valid only during the call. */
    void onEvent(String eventName, byte[] data, int offset, int length);

    /** An event whose data exceeded the cap: skipped for parsing, still delivered to the app. */
    void onOversizedEvent();

    /**
     * How many bytes from {@code from} (the start of an event's first data line) the listener
     * knows to hold no line end, because they repeat a line it has seen: the line's scan starts
     * after them. Zero when it knows nothing.
     */
    default int knownLineStart(byte[] bytes, int from, int end) {
      return 0;
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long BELOW_0E = 0x0E0E0E0E0E0E0E0EL;
  private static final byte[] NEWLINE = {'\n'};
  private static final int FIELD_MAX = 16;
  private static final int EVENT_NAME_MAX = 64;

  private final Listener listener;
  private final int maxEventBytes;

  private byte[] data = new byte[256];
  private int dataLength;
  // The usual event, one data line followed by the blank line in the same piece, is handed over
  // where it lies: it is copied into data only when the piece ends before the event does.
  private byte[] view;
  private int viewFrom;
  private int viewLength;
  private boolean hasData;
  private boolean oversized;
  private final byte[] eventName = new byte[EVENT_NAME_MAX];
  private int eventNameLength;
  private String lastName;
  private byte[] lastNameBytes;
  private final byte[] field = new byte[FIELD_MAX];
  private int fieldLength;

  /** Where the decoder is within the current line. */
  private int state = LINE_START;
  private static final int LINE_START = 0;
  private static final int FIELD = 1;
  private static final int VALUE_START = 2; // just after ':', one space is skipped
  private static final int VALUE = 3;
  private static final int IGNORE_LINE = 4;
  private int currentField; // which field the value belongs to
  private static final int F_OTHER = 0;
  private static final int F_DATA = 1;
  private static final int F_EVENT = 2;
  private boolean lastWasCr;

  SseDecoder(Listener listener, int maxEventBytes) {
    this.listener = listener;
    this.maxEventBytes = maxEventBytes;
  }

  void feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      if (b == '\n' && lastWasCr) { // the \n of a \r\n whose \r ended the line
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        endLine();
        continue;
      }
      switch (state) {
        case LINE_START:
          if (b == ':') {
            state = IGNORE_LINE; // comment, e.g. ": keep-alive"
            break;
          }
          if (i + 5 < end && bytes[i + 4] == ':' && b == 'd' && bytes[i + 1] == 'a'
              && bytes[i + 2] == 't' && bytes[i + 3] == 'a') { // "data:" whole in this piece
            currentField = F_DATA;
            startDataLine();
            state = VALUE_START;
            i += 4;
            break;
          }
          if (i + 6 < end && bytes[i + 5] == ':' && b == 'e' && bytes[i + 1] == 'v'
              && bytes[i + 2] == 'e' && bytes[i + 3] == 'n' && bytes[i + 4] == 't') {
            currentField = F_EVENT; // "event:" whole in this piece
            eventNameLength = 0;
            state = VALUE_START;
            i += 5;
            break;
          }
          fieldLength = 0;
          state = FIELD;
          // fall through
        case FIELD:
          if (b == ':') {
            currentField = fieldOf();
            state = VALUE_START;
            if (currentField == F_DATA) startDataLine();
          } else if (fieldLength < FIELD_MAX) {
            field[fieldLength++] = b;
          } else {
            state = IGNORE_LINE;
          }
          break;
        case VALUE_START:
          state = VALUE;
          if (b == ' ') break;
          // fall through
        case VALUE:
          if (currentField == F_DATA) { // the bulk of a stream: the rest of the line at once
            int scanFrom = i + 1;
            if (dataLength == 0 && view == null) {
              scanFrom = Math.max(scanFrom, i + listener.knownLineStart(bytes, i, end));
            }
            int lineEnd = lineEnd(bytes, scanFrom, end);
            if (dataLength == 0 && view == null && !oversized && lineEnd < end
                && lineEnd - i <= maxEventBytes) {
              view = bytes; // the event's first data line, whole in this piece
              viewFrom = i;
              viewLength = lineEnd - i;
            } else {
              appendData(bytes, i, lineEnd - i);
            }
            i = lineEnd - 1;
          } else if (currentField == F_EVENT) { // the name: the rest of the line, capped
            int lineEnd = lineEnd(bytes, i + 1, end);
            int n = Math.min(lineEnd - i, EVENT_NAME_MAX - eventNameLength);
            System.arraycopy(bytes, i, eventName, eventNameLength, n);
            eventNameLength += n;
            i = lineEnd - 1;
          }
          break;
        default: // IGNORE_LINE
      }
    }
    if (view != null) keepView(); // the caller may reuse its bytes once this returns
  }

  /**
   * The index of the first {@code \n} or {@code \r} in {@code [from, end)}, or {@code end}. Eight
   * bytes at a time, looking for any byte below 0x0E (it borrows in {@code x - 0x0E…}; a borrow
   * runs only from such a byte upward, so the lowest one found is exact): a tab found so is
   * stepped over.
   */
  static int lineEnd(byte[] bytes, int from, int end) {
    int i = from;
    while (i + 8 <= end) {
      long word = (long) LONGS.get(bytes, i);
      long low = (word - BELOW_0E) & ~word & HIGH_BITS;
      if (low == 0) {
        i += 8;
        continue;
      }
      int at = i + (Long.numberOfTrailingZeros(low) >>> 3);
      if (bytes[at] == '\n' || bytes[at] == '\r') return at;
      i = at + 1;
    }
    while (i < end && bytes[i] != '\n' && bytes[i] != '\r') i++;
    return i;
  }

  /** The stream ended: an event still pending is dispatched (a lenient reading of the spec). */
  void endOfInput() {
    if (state != LINE_START) endLine();
    dispatch();
  }

  /**
   * The current event's name. Streams repeat a few names (Anthropic names every event): the last
   * name's string is reused while the bytes match, so no string is built per event.
   */
  private String eventName() {
    if (lastName != null && lastNameBytes.length == eventNameLength) {
      boolean same = true;
      for (int i = 0; i < eventNameLength && same; i++) same = lastNameBytes[i] == eventName[i];
      if (same) return lastName;
    }
    lastNameBytes = Arrays.copyOf(eventName, eventNameLength);
    lastName = new String(lastNameBytes, java.nio.charset.StandardCharsets.UTF_8);
    return lastName;
  }

  private int fieldOf() {
    if (fieldLength == 4 && field[0] == 'd' && field[1] == 'a' && field[2] == 't' && field[3] == 'a') {
      return F_DATA;
    }
    if (fieldLength == 5 && field[0] == 'e' && field[1] == 'v' && field[2] == 'e'
        && field[3] == 'n' && field[4] == 't') {
      eventNameLength = 0;
      return F_EVENT;
    }
    return F_OTHER;
  }

  private void startDataLine() {
    if (hasData) appendData(NEWLINE, 0, 1); // lines of one event's data join with \n
    hasData = true;
  }

  /** The data line handed over in place is copied: the piece ends, or more data follows. */
  private void keepView() {
    byte[] v = view;
    view = null;
    appendData(v, viewFrom, viewLength);
  }

  private void appendData(byte[] bytes, int offset, int length) {
    if (view != null) keepView();
    if (oversized) return;
    if (dataLength + length > data.length) {
      if (dataLength + length > maxEventBytes) {
        oversized = true;
        return;
      }
      data = Arrays.copyOf(data, Math.min(maxEventBytes, Math.max(dataLength + length, dataLength * 2)));
    }
    System.arraycopy(bytes, offset, data, dataLength, length);
    dataLength += length;
  }

  private void endLine() {
    if (state == LINE_START) {
      dispatch(); // a blank line ends the event
      return;
    }
    if (state == FIELD) { // a line without ':' is a field with an empty value
      currentField = fieldOf();
      if (currentField == F_DATA) startDataLine();
    }
    state = LINE_START;
  }

  private void dispatch() {
    if (oversized) {
      listener.onOversizedEvent();
    } else if (hasData) {
      String name = eventNameLength == 0 ? null : eventName();
      if (view != null) {
        listener.onEvent(name, view, viewFrom, viewLength);
      } else {
        listener.onEvent(name, data, 0, dataLength);
      }
    }
    view = null;
    hasData = false;
    oversized = false;
    dataLength = 0;
    eventNameLength = 0;
    if (data.length > 64 * 1024) data = new byte[256]; // do not keep one big event's buffer
  }
}

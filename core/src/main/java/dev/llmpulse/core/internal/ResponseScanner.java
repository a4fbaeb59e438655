package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;
import dev.llmpulse.core.WireFormat;

import java.io.IOException;
import java.util.List;

/**
 * Reads a response body as the application reads it, piece by piece, and learns from it what the
 * call cost and whether it was a real answer: response model, token usage, finish reasons, and a
 * verdict ({@link InvalidResponseReason}) on 2xx responses. It never keeps the body: JSON is read
 * by a push tokenizer ({@link JsonTokenizer}, strict as Jackson's non-blocking parser, skipping
 * what it does not need), event streams by an incremental SSE decoder whose event buffer is
 * capped, NDJSON streams (Ollama) line by line straight into the tokenizer. What each
 * field means is the wire format's business (one reader per format, see {@link WireFormat}). It
 * never throws: a body it cannot read is a verdict, not an exception.
 *
 * <p>One scanner serves one response and is used from one thread at a time.
 *
 * <pre>{@code
 * ResponseScanner scanner = ResponseScanner.builder(WireFormat.OPENAI_CHAT)
 *     .httpStatus(200).contentType("application/json").build();
 * scanner.feed(bytes, 0, bytes.length);   // as the app reads them
 * scanner.endOfInput();
 * TokenUsage usage = scanner.usage();
 * }</pre>
 *
 * <p>Part of the binding contract: no compatibility promise.
 */
public final class ResponseScanner {
  /** The default cap on one stream event's data; bigger events are skipped for parsing. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
  private static final byte[] EVENT_SEPARATOR = {'\n'};

  private enum Mode { SKIP, REJECTED_CONTENT_TYPE, JSON, SSE, NDJSON }

  private final Mode mode;
  private final boolean streamExpected;
  private final FormatReader reader;
  private final JsonWalker walker;
  private final Runnable onContentChunk;

  private JsonTokenizer json; // the body's (JSON mode) or the documents' (stream modes)
  private SseDecoder sse;
  private Documents documents; // the stream's documents: SSE event data or NDJSON lines
  private RepeatedEvents repeats; // SSE: events handed over again from the previous one's calls

  private long bytes;
  private boolean sawNonWhitespace;
  private boolean parseFailed;
  private boolean endedInsideDocument; // all bytes parsed, then EOF came inside the JSON value
  private boolean unparsable; // too big to parse: no verdict, no invention
  private int malformedEvents;
  private int oversizedEvents;
  private int contentChunks;
  private boolean ended;
  private InvalidResponseReason verdict;
  private List<String> finishReasons;
  private TokenUsage usage;

  private ResponseScanner(Builder b) {
    this.streamExpected = b.streamExpected;
    this.onContentChunk = b.onContentChunk;
    this.reader = FormatReader.of(b.format);
    this.reader.listener(this::contentChunk);
    this.walker = new JsonWalker(reader);
    this.mode = modeOf(b, reader);
    if (mode == Mode.JSON) {
      json = new JsonTokenizer(walker);
      reader.beginDocument();
    } else if (mode == Mode.SSE) {
      json = new JsonTokenizer(walker);
      documents = new Documents();
      if (b.repeatedEvents) repeats = new RepeatedEvents(json, walker);
      sse = new SseDecoder(new SseListener(), b.maxEventBytes);
    } else if (mode == Mode.NDJSON) {
      json = new JsonTokenizer(walker);
      documents = new Documents();
    }
  }

  private static Mode modeOf(Builder b, FormatReader reader) {
    if (!b.format.isParsed() || b.httpStatus < 200 || b.httpStatus > 299 || b.httpStatus == 204) {
      return Mode.SKIP;
    }
    String type = b.contentType == null ? "" : b.contentType;
    if (type.startsWith("application/json")) return Mode.JSON; // as nearly every API sends it
    if (startsWith(type, "text/event-stream")) return Mode.SSE;
    if (reader.ndjsonStreams() && (startsWith(type, "application/x-ndjson")
        || type.isEmpty() && b.streamExpected)) {
      return Mode.NDJSON;
    }
    if (startsWith(type, "text/html") || startsWith(type, "text/plain")
        || startsWith(type, "text/xml") || startsWith(type, "application/xml")
        || startsWith(type, "application/xhtml")) {
      return Mode.REJECTED_CONTENT_TYPE;
    }
    return Mode.JSON; // application/json, a missing type, or anything else: try JSON
  }

  /** {@code type} starts with {@code prefix} (lower case), ignoring case; allocates nothing. */
  private static boolean startsWith(String type, String prefix) {
    return type.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  public static Builder builder(WireFormat format) {
    return new Builder(format);
  }

  /** Feeds the next bytes the application read. Never throws. */
  public void feed(byte[] data, int offset, int length) {
    if (ended || length <= 0) return;
    bytes += length;
    try {
      switch (mode) {
        case JSON:
          if (!sawNonWhitespace) sawNonWhitespace = hasNonWhitespace(data, offset, length);
          if (parseFailed || unparsable) return;
          json.feed(data, offset, length);
          return;
        case SSE:
          sse.feed(data, offset, length);
          return;
        case NDJSON:
          feedLines(data, offset, length);
          return;
        case REJECTED_CONTENT_TYPE:
          if (!sawNonWhitespace) sawNonWhitespace = hasNonWhitespace(data, offset, length);
          return;
        default:
      }
    } catch (JsonTokenizer.LimitExceeded e) {
      unparsable = true;
    } catch (IOException | RuntimeException e) {
      parseFailed = true;
    }
  }

  /** The body ended (EOF). Further feeds are ignored. Never throws. */
  public void endOfInput() {
    if (ended) return;
    ended = true;
    try {
      if (mode == Mode.JSON && !parseFailed && !unparsable) {
        json.endOfInput();
      } else if (mode == Mode.SSE) {
        sse.endOfInput();
      } else if (mode == Mode.NDJSON) {
        documents.end(false); // a last line without its newline
      }
    } catch (JsonTokenizer.LimitExceeded e) {
      unparsable = true;
    } catch (IOException | RuntimeException e) {
      endedInsideDocument = true; // every byte was valid JSON so far: the body was cut off
    }
    verdict = judge();
  }

  /**
   * The NDJSON lines in this piece: each line's bytes go straight to the tokenizer (nothing is
   * copied or read ahead); a line end closes the line's document.
   */
  private void feedLines(byte[] data, int offset, int length) {
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int lineEnd = SseDecoder.lineEnd(data, i, end);
      if (lineEnd > i) documents.feed(data, i, lineEnd - i);
      if (lineEnd == end) return;
      documents.end(false);
      i = lineEnd + 1;
    }
  }

  /**
   * True when the body already holds a whole answer although EOF was not read: the root JSON
   * value is complete, or the stream's terminator (or an error event) arrived. A reader that
   * stops there (Jackson's {@code readTree}, an SSE client that stops at {@code [DONE]}) read
   * everything that mattered.
   */
  public boolean isComplete() {
    switch (mode) {
      case JSON:
        return !parseFailed && walker.rootComplete();
      case SSE:
      case NDJSON:
        return reader.terminatorSeen() || reader.errorEventSeen();
      default:
        return false;
    }
  }

  /** The reader gave up before EOF: no verdict is passed on a body that was not read. */
  public void abandon() {
    if (ended) return;
    ended = true;
  }

  private InvalidResponseReason judge() {
    switch (mode) {
      case REJECTED_CONTENT_TYPE:
        return sawNonWhitespace ? InvalidResponseReason.UNEXPECTED_CONTENT_TYPE
            : InvalidResponseReason.EMPTY_BODY;
      case JSON:
        if (!sawNonWhitespace) return InvalidResponseReason.EMPTY_BODY;
        if (unparsable) return null;
        if (parseFailed) return InvalidResponseReason.INVALID_JSON;
        if (endedInsideDocument || !walker.rootComplete()) {
          return InvalidResponseReason.TRUNCATED_JSON;
        }
        if (isStream()) return streamVerdict();
        return reader.bodyVerdict();
      case SSE:
      case NDJSON:
        if (bytes == 0) return InvalidResponseReason.EMPTY_BODY;
        return streamVerdict();
      default:
        return null;
    }
  }

  private InvalidResponseReason streamVerdict() {
    if (reader.errorEventSeen()) return InvalidResponseReason.STREAM_ERROR_EVENT;
    if (!reader.terminatorSeen()) return InvalidResponseReason.STREAM_INCOMPLETE;
    if (malformedEvents > 0) return InvalidResponseReason.INVALID_JSON;
    return null;
  }

  /**
   * True for an event stream, an NDJSON stream (Ollama), or a JSON-array stream (Gemini without
   * {@code alt=sse}).
   */
  public boolean isStream() {
    return mode == Mode.SSE || mode == Mode.NDJSON || (streamExpected && reader.arrayStreams());
  }

  /**
   * The verdict on a 2xx response once it ended; null when it is a real answer, when it was not
   * judged (another status, an unknown format, a body abandoned or too big to parse).
   */
  public InvalidResponseReason invalidReason() {
    return verdict;
  }

  /** The model the response names ({@code model}, {@code modelVersion}); empty if none. */
  public String responseModel() {
    return reader.model();
  }

  public TokenUsage usage() {
    if (usage == null) usage = reader.usage();
    return usage;
  }

  /** Raw finish reasons, one per choice or candidate that reported one. */
  public List<String> finishReasons() {
    if (finishReasons == null) finishReasons = reader.finishReasons();
    return finishReasons;
  }

  /** Events or chunks that carried content (text, reasoning or a tool call). */
  public int contentChunks() {
    return contentChunks;
  }

  /** Stream events larger than the cap: delivered to the app, skipped for parsing. */
  public int oversizedEvents() {
    return oversizedEvents;
  }

  /** Stream events handed to the readers from the previous event's calls ({@link RepeatedEvents}). */
  int replayedEvents() {
    return repeats == null ? 0 : repeats.replays();
  }

  /** Body bytes seen so far. */
  public long bytes() {
    return bytes;
  }

  private void contentChunk() {
    contentChunks++;
    if (onContentChunk != null) onContentChunk.run();
  }

  private static boolean hasNonWhitespace(byte[] data, int offset, int length) {
    for (int i = offset, end = offset + length; i < end; i++) {
      byte b = data[i];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') return true;
    }
    return false;
  }

  /**
   * The documents of a stream (each SSE event's data, each NDJSON line), read by one tokenizer:
   * they are fed to it as a sequence of root values, each followed by a newline. A malformed or
   * oversized document spoils the tokenizer's state: it is then reset, and the rest of that
   * document is skipped.
   */
  private final class Documents {
    private boolean open; // a document has started
    private boolean failed; // the current document failed: skip to its end

    /** The next bytes of the current document (the first bytes start one). */
    void feed(byte[] data, int offset, int length) {
      read(data, offset, length, false);
    }

    /**
     * The whole document {@code data[offset, offset + length)} repeats the previous one but for
     * one plain string ({@link RepeatedEvents}): it is handed to the readers from the previous
     * one's calls. False, and nothing done, when it does not.
     */
    boolean replayed(byte[] data, int offset, int length) {
      if (open || failed || !repeats.matches(data, offset, length)) return false;
      read(data, offset, length, true);
      return true;
    }

    private void read(byte[] data, int offset, int length, boolean replay) {
      if (failed) return;
      if (!open) {
        open = true;
        walker.reset();
        reader.beginDocument();
      }
      try {
        if (replay) {
          repeats.replay(data, offset, length);
        } else {
          json.feed(data, offset, length);
        }
      } catch (JsonTokenizer.LimitExceeded e) {
        fail(false);
      } catch (IOException | RuntimeException e) {
        fail(true);
      }
    }

    /**
     * The current document ended. An incomplete one is malformed; so is one with no value at all
     * when {@code blankIsMalformed} (an SSE event with empty data; an NDJSON blank line is not).
     * True when it was one whole, well-formed JSON value.
     */
    boolean end(boolean blankIsMalformed) {
      if (failed) {
        failed = false;
        open = false;
        return false;
      }
      if (!open) {
        if (blankIsMalformed) malformedEvents++;
        return false;
      }
      open = false;
      try {
        json.feed(EVENT_SEPARATOR, 0, 1); // ends a root scalar; whitespace otherwise
        if (walker.rootComplete()) return true;
        if (walker.rootStarted() || blankIsMalformed) malformedEvents++;
        if (walker.rootStarted()) json.reset(); // it is inside an unfinished value
      } catch (JsonTokenizer.LimitExceeded e) {
        oversizedEvents++;
        json.reset();
      } catch (IOException | RuntimeException e) {
        malformedEvents++;
        json.reset();
      }
      return false;
    }

    private void fail(boolean malformed) {
      if (malformed) malformedEvents++;
      else oversizedEvents++;
      failed = true;
      json.reset();
    }
  }

  /** Hands each SSE event's data to {@link Documents}; {@code [DONE]} ends the stream. */
  private final class SseListener implements SseDecoder.Listener {
    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
      if ("error".equals(eventName)) reader.markErrorEvent();
      if (isDone(data, offset, length)) {
        reader.markTerminator();
        return;
      }
      if (repeats == null || length == 0) {
        if (length > 0) documents.feed(data, offset, length);
        documents.end(true);
      } else if (documents.replayed(data, offset, length)) {
        documents.end(true);
      } else {
        repeats.record(data, offset, length);
        documents.feed(data, offset, length);
        repeats.recorded(data, offset, length, documents.end(true));
      }
    }

    @Override
    public void onOversizedEvent() {
      oversizedEvents++;
      if (repeats != null) repeats.clear();
    }

    @Override
    public int knownLineStart(byte[] bytes, int from, int end) {
      return repeats == null ? 0 : repeats.knownLineStart(bytes, from, end);
    }

    private boolean isDone(byte[] d, int offset, int n) {
      int start = offset;
      int end = offset + n;
      while (start < end && d[start] == ' ') start++;
      while (end > start && (d[end - 1] == ' ')) end--;
      return end - start == 6 && d[start] == '[' && d[start + 1] == 'D' && d[start + 2] == 'O'
          && d[start + 3] == 'N' && d[start + 4] == 'E' && d[start + 5] == ']';
    }
  }

  /** Describes the response a scanner reads. */
  public static final class Builder {
    private final WireFormat format;
    private int httpStatus = 200;
    private String contentType;
    private boolean streamExpected;
    private Runnable onContentChunk;
    private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
    private boolean repeatedEvents = true;

    private Builder(WireFormat format) {
      this.format = format == null ? WireFormat.UNKNOWN : format;
    }

    /** Only 2xx bodies are read; other statuses carry error bodies and get no verdict. */
    public Builder httpStatus(int status) {
      this.httpStatus = status;
      return this;
    }

    /** The response's {@code Content-Type}, or null. */
    public Builder contentType(String contentType) {
      this.contentType = contentType;
      return this;
    }

    /** The request asked for a stream ({@code "stream": true} or a streaming path). */
    public Builder streamExpected(boolean streamExpected) {
      this.streamExpected = streamExpected;
      return this;
    }

    /** Run at the end of each stream event (or chunk) that carried content: timing hooks. */
    public Builder onContentChunk(Runnable onContentChunk) {
      this.onContentChunk = onContentChunk;
      return this;
    }

    /** Cap on one event's data; bigger events are counted and skipped for parsing. */
    public Builder maxEventBytes(int maxEventBytes) {
      if (maxEventBytes < 1024) throw new IllegalArgumentException("maxEventBytes < 1024");
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /**
     * False: every stream event is tokenized in full, none handed over from the one before it
     * ({@link RepeatedEvents}); for the tests that hold the two paths to each other.
     */
    Builder repeatedEvents(boolean repeatedEvents) {
      this.repeatedEvents = repeatedEvents;
      return this;
    }

    public ResponseScanner build() {
      return new ResponseScanner(this);
    }
  }
}

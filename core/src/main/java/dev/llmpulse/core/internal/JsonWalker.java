package dev.llmpulse.core.internal;

import dev.llmpulse.core.internal.JsonTokenizer.TokenLog;
import java.io.IOException;

/**
 * Walks the tokens {@link JsonTokenizer} finds in one JSON document (or a root array of chunks)
 * and tells the {@link FormatReader} where each value sits, as the list of object keys that
 * enclose it (array levels carry no key). Holds O(depth) state, capped: nothing of the document
 * is kept.
 */
final class JsonWalker extends JsonTokenizer.Handler {
  private static final int MAX_DEPTH = 64;

  private final FormatReader reader;
  // Grown on demand up to MAX_DEPTH: LLM answers nest about six levels deep.
  private String[] keys = new String[8];
  private boolean[] pushed = new boolean[8];
  private boolean[] array = new boolean[8];
  private int keyCount;
  private int depth;
  private String pendingField;
  private boolean rootIsArray;
  private boolean rootStarted;
  private boolean rootComplete;
  /** Where the calls are written down, or null ({@link RepeatedEvents}). */
  private TokenLog log;

  JsonWalker(FormatReader reader) {
    this.reader = reader;
  }

  /** Writes the tokenizer's calls down in {@code log} from now on; null stops. */
  void log(TokenLog log) {
    this.log = log;
  }

  void reset() {
    keyCount = 0;
    depth = 0;
    pendingField = null;
    rootIsArray = false;
    rootStarted = false;
    rootComplete = false;
  }

  /** True once a root value started. */
  boolean rootStarted() {
    return rootStarted;
  }

  /** True once the root value (object, array or scalar) is complete. */
  boolean rootComplete() {
    return rootComplete;
  }

  int keyCount() {
    return keyCount;
  }

  /** The key {@code up} levels above the value being handled (0 = its container's key). */
  String key(int up) {
    int i = keyCount - 1 - up;
    return i >= 0 ? keys[i] : null;
  }

  /** The outermost key (the child of the root object the value sits under), or null. */
  String rootKey() {
    return keyCount > 0 ? keys[0] : null;
  }

  @Override
  void fieldName(String name) {
    if (log != null) log.name(name);
    pendingField = name;
  }

  @Override
  void startContainer(boolean isArray) throws IOException {
    if (log != null) log.container(isArray ? TokenLog.START_ARRAY : TokenLog.START_OBJECT);
    if (depth == 0) {
      if (rootComplete) throw new TrailingContentException();
      rootStarted = true;
      rootIsArray = isArray;
    }
    String key = inObject() ? pendingField : null;
    reader.onStart(this, key, isArray);
    boolean push = key != null && keyCount < MAX_DEPTH;
    if (push) {
      if (keyCount == keys.length) keys = java.util.Arrays.copyOf(keys, keys.length * 2);
      keys[keyCount++] = key;
    }
    if (depth < MAX_DEPTH) {
      if (depth == array.length) {
        array = java.util.Arrays.copyOf(array, array.length * 2);
        pushed = java.util.Arrays.copyOf(pushed, pushed.length * 2);
      }
      pushed[depth] = push;
      array[depth] = isArray;
    }
    depth++;
  }

  @Override
  void endContainer(boolean isArray) {
    if (log != null) log.container(isArray ? TokenLog.END_ARRAY : TokenLog.END_OBJECT);
    depth--;
    if (depth < MAX_DEPTH && pushed[depth]) keyCount--;
    if (depth > 0) reader.onEnd(this, isArray);
    if (depth == 0) {
      rootComplete = true;
      reader.onDocumentEnd();
    } else if (depth == 1 && rootIsArray && !isArray) {
      reader.onDocumentEnd(); // one chunk of a JSON-array stream (Gemini without alt=sse)
    }
  }

  @Override
  void scalar(JsonTokenizer value) throws IOException {
    int logged = log != null ? log.scalar(value) : -1;
    if (depth == 0) {
      if (rootComplete) throw new TrailingContentException();
      rootStarted = true;
      rootComplete = true;
      return;
    }
    // Array elements are not reported; a value the reader did nothing with, whatever its state,
    // is marked so that a repeat of this document skips it.
    if ((!inObject() || !reader.onScalar(this, value, pendingField)) && logged >= 0) {
      log.markInert(logged);
    }
  }

  /** A second value after the root one: not a single JSON document. */
  static final class TrailingContentException extends IOException {
    TrailingContentException() {
      super("content after the root JSON value", null);
    }
  }

  private boolean inObject() {
    return depth > 0 && depth <= MAX_DEPTH && !array[depth - 1];
  }
}

package dev.llmpulse.core.internal;

import dev.llmpulse.core.InvalidResponseReason;
import dev.llmpulse.core.TokenUsage;
import dev.llmpulse.core.WireFormat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one response tells about the call in one wire format, collected value by value as {@link
 * JsonWalker} walks a body or each event of a stream: model, usage, finish reasons, content
 * chunks, and the structural facts the validator needs. One subclass per format reads that
 * format's fields; this base holds what every format shares, so a new format is one class (and
 * one line in {@link WireFormat}).
 *
 * <p>Finish reasons count once per choice (OpenAI {@code choices[]}, Gemini {@code
 * candidates[]}): the last reason reported for a choice index wins, however often a stream
 * repeats it. A cumulative usage block that repeats keeps its last value.
 *
 * <p>A reader serves one response, on one thread, and allocates nothing per event in the common
 * case (field names are canonical strings from {@link FieldNames}; type values are compared in
 * place).
 */
abstract class FormatReader {
  /** A new reader of {@code format}'s responses: the one place that pairs formats and readers. */
  static FormatReader of(WireFormat format) {
    switch (format) {
      case OPENAI_CHAT:
      case OPENAI_COMPLETIONS:
        return OpenAiReader.withChoices();
      case OPENAI_RESPONSES:
        return new ResponsesReader();
      case OPENAI_EMBEDDINGS:
        return OpenAiReader.embeddings();
      case ANTHROPIC_MESSAGES:
        return new AnthropicReader();
      case GEMINI:
        return new GeminiReader();
      case GEMINI_EMBEDDINGS:
        return new GeminiEmbeddingsReader();
      case OLLAMA_CHAT:
        return OllamaReader.chat();
      case OLLAMA_GENERATE:
        return OllamaReader.generate();
      case OLLAMA_EMBED:
        return OllamaReader.embed();
      case COHERE_CHAT:
        return new CohereReader();
      default:
        return new None();
    }
  }

  static final int MAX_FINISH_REASONS = 16;
  static final int MAX_LABEL_CHARS = 200;

  /** Called at the end of each document (a stream event or chunk) that carried content. */
  interface ContentListener {
    void onContentChunk();
  }

  private ContentListener listener;

  // Across the whole response.
  String model = "";
  boolean usageSeen;
  private boolean terminatorSeen;
  private boolean errorEventSeen;
  private String[] choiceReasons; // by choice index, grown up to MAX_FINISH_REASONS
  private String lastReason; // a response-level reason (Anthropic stop_reason, Ollama done_reason)

  // Per document (a stream event, an NDJSON line, a JSON-array chunk, or the whole body).
  boolean docContent;
  boolean docError;
  boolean docTerminator;
  private int choicePosition; // elements of choices[] seen in this document
  private int choiceIndex; // the current choice's index (its "index" field, else its position)
  private String choiceReason; // the current choice's reason, if it reported one

  final void listener(ContentListener listener) {
    this.listener = listener;
  }

  /** Framing: this format streams NDJSON (one JSON document per line). */
  boolean ndjsonStreams() {
    return false;
  }

  /** Framing: a stream request may be answered with one JSON array of chunks (Gemini). */
  boolean arrayStreams() {
    return false;
  }

  /** A new document starts. */
  final void beginDocument() {
    docContent = false;
    docError = false;
    docTerminator = false;
    choicePosition = 0;
    beginFormatDocument();
  }

  /** Per-document state of the format, reset before each document. */
  void beginFormatDocument() {}

  /**
   * An object or array starts under {@code key} (null for an array element); the walker's keys
   * are those enclosing it.
   */
  abstract void onStart(JsonWalker w, String key, boolean isArray);

  /** An object or array ends; the walker's keys are those that enclosed it. */
  void onEnd(JsonWalker w, boolean isArray) {}

  /**
   * A scalar value of an object, under {@code key} (array elements are not reported). Returns
   * false only when the call did nothing and would do nothing whatever this reader's state and
   * whatever a string's content: the decision rests on the walker's keys, the key and the value's
   * type alone (a key the format does not read, a null where a string is wanted). A repeated
   * stream event, which may change a string's content but nothing else, then skips the call
   * ({@link RepeatedEvents}); true whenever it may have acted.
   */
  abstract boolean onScalar(JsonWalker w, JsonTokenizer v, String key);

  /** The format's end-of-document decisions (event types), before the shared ones. */
  void endFormatDocument() {}

  /** Ends a document: a whole body, one stream event or line, or one chunk of a JSON array. */
  final void onDocumentEnd() {
    endFormatDocument();
    if (docTerminator) terminatorSeen = true;
    if (docError) errorEventSeen = true;
    if (docContent && listener != null) listener.onContentChunk();
    docContent = false;
    docError = false;
    docTerminator = false;
  }

  /** The structural verdict of a complete, parsed, non-streaming 2xx body; null when fine. */
  InvalidResponseReason bodyVerdict() {
    return null;
  }

  /** Token usage in OpenTelemetry terms; {@link TokenUsage#UNKNOWN} when none was reported. */
  abstract TokenUsage usage();

  /** A finish reason the format derives from the whole response (Responses API status), or null. */
  String statusReason() {
    return null;
  }

  final void markTerminator() {
    terminatorSeen = true;
  }

  final void markErrorEvent() {
    errorEventSeen = true;
  }

  final boolean terminatorSeen() {
    return terminatorSeen;
  }

  final boolean errorEventSeen() {
    return errorEventSeen;
  }

  final String model() {
    return model;
  }

  // ---- Choices and finish reasons ----

  /** An element of the choices (candidates) array starts. */
  final void beginChoice() {
    choiceIndex = choicePosition++;
    choiceReason = null;
  }

  /** The current choice's {@code index} field. */
  final void choiceIndex(JsonTokenizer v) {
    if (v.valueType() == JsonTokenizer.INT && v.intKind() == JsonTokenizer.INT_32) {
      choiceIndex = (int) v.longValue();
    }
  }

  /** The current choice's finish reason; kept when the choice element ends. */
  final void choiceReason(JsonTokenizer v) {
    if (!v.isString() || v.textLength() == 0) return;
    String previous = choiceIndex >= 0 && choiceReasons != null && choiceIndex < choiceReasons.length
        ? choiceReasons[choiceIndex] : null;
    choiceReason = text(v, previous == null ? "" : previous);
  }

  /** The choice element ends: its reason, if any, replaces the one its index had. */
  final void endChoice() {
    String reason = choiceReason;
    choiceReason = null;
    if (reason == null || choiceIndex < 0 || choiceIndex >= MAX_FINISH_REASONS) return;
    if (choiceReasons == null) choiceReasons = new String[Math.max(2, choiceIndex + 1)];
    if (choiceIndex >= choiceReasons.length) {
      choiceReasons = java.util.Arrays.copyOf(choiceReasons,
          Math.min(MAX_FINISH_REASONS, Math.max(choiceIndex + 1, choiceReasons.length * 2)));
    }
    choiceReasons[choiceIndex] = reason;
  }

  /** A response-level finish reason: the last one reported wins. */
  final void responseReason(JsonTokenizer v) {
    if (!v.isString() || v.textLength() == 0) return;
    lastReason = text(v, lastReason == null ? "" : lastReason);
  }

  /** Raw finish reasons: one per choice that reported one, then the response-level ones. */
  final List<String> finishReasons() {
    List<String> reasons = null;
    if (choiceReasons != null) {
      for (String reason : choiceReasons) {
        if (reason == null) continue;
        if (reasons == null) reasons = new ArrayList<>(2);
        reasons.add(reason);
      }
    }
    if (lastReason != null) {
      if (reasons == null) reasons = new ArrayList<>(1);
      reasons.add(lastReason);
    }
    String status = statusReason();
    if (status != null) {
      if (reasons == null) reasons = new ArrayList<>(1);
      reasons.add(status);
    }
    if (reasons == null) return Collections.emptyList();
    for (int i = 0; i < reasons.size(); i++) {
      if (reasons.get(i).length() > MAX_LABEL_CHARS) reasons.set(i, LabelCap.OTHER);
    }
    return reasons.size() > MAX_FINISH_REASONS ? reasons.subList(0, MAX_FINISH_REASONS) : reasons;
  }

  // ---- Value helpers shared by the formats ----

  /** Reads the response model from a string value; see {@link #text}. */
  final void model(JsonTokenizer v) {
    model = text(v, model);
  }

  /**
   * The string value, or {@code current} when absent or empty (Azure's "" chunk). A value equal to
   * {@code current} returns {@code current} itself: a stream repeats its model in every event, and
   * keeping one instance spares a string (and its hash) per event.
   */
  static String text(JsonTokenizer v, String current) {
    if (!v.isString()) return current;
    int length = v.textLength();
    if (length == 0) return current;
    if (length > MAX_LABEL_CHARS) return LabelCap.OTHER;
    if (v.textEquals(current)) return current;
    return v.text();
  }

  /** True when the value is the string {@code expected}; compares in place, allocates nothing. */
  static boolean is(JsonTokenizer v, String expected) {
    return v.textEquals(expected);
  }

  static boolean nonEmptyString(JsonTokenizer v) {
    return v.isString() && v.textLength() > 0;
  }

  /** A token count: a non-negative integer; anything else (string, float, negative, huge) is 0. */
  static long number(JsonTokenizer v) {
    if (v.valueType() != JsonTokenizer.INT || v.intKind() == JsonTokenizer.INT_BIG) return 0;
    return Math.max(0, v.longValue());
  }

  /** The reader of {@link WireFormat#UNKNOWN}: reads nothing. */
  static final class None extends FormatReader {
    @Override
    void onStart(JsonWalker w, String key, boolean isArray) {}

    @Override
    boolean onScalar(JsonWalker w, JsonTokenizer v, String key) {
      return false;
    }

    @Override
    TokenUsage usage() {
      return TokenUsage.UNKNOWN;
    }
  }
}
